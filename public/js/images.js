// Which size of a generated image goes where: previews for tiles, the medium for views, the original to download.
import { element } from "./common.js";

// The sizes the API serves: a ~512 px preview for tiles, a ~1280 px medium for the result and detail view, the
// original only for download. Images without previews yet (older ones, or a failed preview) use the original.
export const previewUrl = (image) => image.preview_url ?? image.url;
export const mediumUrl = (image) => image.medium_url ?? image.url;
export const downloadName = (generation, image) => `gptimg-${generation.id}.${image.content_type.split("/")[1]}`;

/** Points an <img> at the medium, with the original's width/height so the page does not shift as it loads. */
export function showMedium(img, image, alt) {
  img.src = mediumUrl(image);
  img.alt = alt;
  img.width = image.width;
  img.height = image.height;
  img.decoding = "async";
}

/** A tile's <img>: the preview, or the medium on screens that need more pixels than 512 for a tile. */
export function tileImage(image, alt) {
  const sizes = image.preview_url && image.medium_url
    ? { srcset: `${image.preview_url} 512w, ${image.medium_url} 1280w`, sizes: "(max-width: 30rem) 45vw, 16rem" } : {};
  // loading/sizes/srcset before src, so the browser picks once and only when the tile nears the screen.
  return element("img", { loading: "lazy", decoding: "async", width: String(image.width), height: String(image.height), ...sizes, src: previewUrl(image), alt });
}
