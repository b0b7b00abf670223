// Sends one reference image to POST /api/uploads and reports how much has gone up (fetch cannot tell), with the
// same errors as the API client: the API's message, `code` and `status`, or no status when offline.

/** Resolves with the upload's view; `onProgress(percent)` follows the bytes sent. */
export function uploadWithProgress(file, onProgress) {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open("POST", "/api/uploads");
    request.setRequestHeader("accept", "application/json");
    request.responseType = "json";
    request.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) onProgress(Math.round((event.loaded / event.total) * 100));
    });
    request.addEventListener("load", () => {
      if (request.status >= 200 && request.status < 300) { onProgress(100); resolve(request.response); return; }
      const error = new Error(request.response?.error?.message ?? `Something went wrong (${request.status}).`);
      error.code = request.response?.error?.code;
      error.status = request.status;
      reject(error);
    });
    request.addEventListener("error", () => reject(new Error("We could not reach GPTImg. Check your connection.")));
    request.send(file);
  });
}
