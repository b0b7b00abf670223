// A gallery for viewer tests: seeded generations (tests/support/gallery-seed.mjs) whose images are real PNGs in R2,
// in three shapes by index (i % 3: 2 square, 1 landscape 16:9, 0 portrait 9:16), the newest using two earlier
// images as references, the ninth newest a failure (no image, refunded), and a browser context signed in as their owner.
import { seedGenerations, seedRow } from "./gallery-seed.mjs";
import { encodePng } from "./fakes/png.mjs";

const SHAPES = [["9:16", 216, 384], ["16:9", 384, 216], ["1:1", 320, 320]];

/** Seeds `count` images for `person`; returns their rows newest first, each with its shape and size. */
export async function seedViewerGallery(worker, person, count, prefix) {
  await seedGenerations(worker.db, person.id, count, { prefix });
  const rows = [];
  for (let i = 0; i < count; i++) {
    const row = seedRow(prefix, i, 1_780_000_000_000);
    const [ratio, width, height] = SHAPES[i % 3];
    const png = encodePng(width, height, (x, y) => [(x * 255 / width + i * 40) % 256, (y * 255 / height) | 0, (i * 67) % 256]);
    const imageId = `img_${row.id.slice(4)}`;
    await worker.bucket.put(`generations/${person.id}/${row.id}/0.png`, new Uint8Array(png));
    await worker.db.batch([
      worker.db.prepare("UPDATE generations SET aspect_ratio = ? WHERE id = ?").bind(ratio, row.id),
      worker.db.prepare("UPDATE generation_images SET width = ?, height = ?, size_bytes = ? WHERE id = ?").bind(width, height, png.length, imageId),
    ]);
    rows.push({ ...row, imageId, ratio, width, height });
  }
  rows.reverse();
  const [newest, second, third] = rows;
  await worker.db.prepare("UPDATE generations SET reference_image_ids = ? WHERE id = ?").bind(JSON.stringify([second.imageId, third.imageId]), newest.id).run();
  const failed = rows[8];
  await worker.db.batch([
    worker.db.prepare("DELETE FROM generation_images WHERE id = ?").bind(failed.imageId),
    worker.db.prepare("UPDATE generations SET status = 'failed', failure_code = 'provider_failed', failure_message = 'The image service could not make this image.' WHERE id = ?").bind(failed.id),
  ]);
  failed.failed = true;
  return rows;
}

/** A browser context with the person's session cookie. */
export async function signedInContext(context, worker, person) {
  await context.addCookies([{ name: "gptimg_session", value: person.session, url: worker.url, httpOnly: true, sameSite: "Lax" }]);
}
