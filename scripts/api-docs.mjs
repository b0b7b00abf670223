// Renders the OpenAPI document (openapi/openapi.json) into the body of the /docs/api page at build time: every
// operation with its parameters, request body, responses and examples in curl, JavaScript and Python (a bearer
// key, and an Idempotency-Key where the operation takes one), then every schema. Static HTML: no runtime script
// is needed to read it (public/js/api-docs.js only adds Copy buttons). Called by scripts/pages.mjs.

import { escapeHtml } from "./html.mjs";

// Braces as entities too: the page builder treats `{{`/`}}` as layout slots.
const escape = (text) => escapeHtml(text).replaceAll("{", "&#123;").replaceAll("}", "&#125;");
/** The document's prose: escaped, with `code` spans. */
const prose = (text = "") => escape(text).replace(/`([^`]+)`/g, "<code>$1</code>");
const slug = (text) => text.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
const refName = (ref) => ref.split("/").pop();

const EXAMPLE_IDS = { "/api/generations/{id}": "gen_0123456789abcdefghjkmnpqrs", "/images/{id}": "img_0123456789abcdefghjkmnpqrs" };

function resolve(document, node) {
  return node?.$ref ? resolve(document, node.$ref.split("/").slice(1).reduce((at, key) => at[key], document)) : node;
}

/** A schema's type as a short label, linking to named schemas. */
function typeLabel(schema) {
  if (!schema) return "";
  if (schema.$ref) return `<a href="#schema-${slug(refName(schema.$ref))}">${escape(refName(schema.$ref))}</a>`;
  const alternatives = schema.oneOf ?? schema.anyOf;
  if (alternatives) return alternatives.map(typeLabel).join(" or ");
  const types = [].concat(schema.type ?? "any");
  const label = types.map((type) => (type === "array" ? `array of ${typeLabel(schema.items)}` : escape(type))).join(" or ");
  return schema.enum ? `${label}: ${schema.enum.map((v) => `<code>${escape(JSON.stringify(v))}</code>`).join(", ")}` : label;
}

function constraints(schema = {}) {
  const parts = [];
  if (schema.minimum !== undefined) parts.push(`≥ ${schema.minimum}`);
  if (schema.maximum !== undefined) parts.push(`≤ ${schema.maximum}`);
  if (schema.minLength !== undefined) parts.push(`${schema.minLength}–${schema.maxLength ?? "∞"} chars`);
  if (schema.maxItems !== undefined) parts.push(`at most ${schema.maxItems} items`);
  if (schema.pattern) parts.push(`pattern <code>${escape(schema.pattern)}</code>`);
  return parts.join(", ");
}

function table(caption, headings, rows) {
  if (!rows.length) return "";
  const head = headings.map((h) => `<th scope="col">${h}</th>`).join("");
  // Each cell names its column, so on a phone a row can stack as labelled lines instead of running off the screen.
  const body = rows.map((cells) => `<tr>${cells.map((c, i) => `<td data-label="${headings[i]}">${c}</td>`).join("")}</tr>`).join("\n");
  // Focusable: where a table is wider than its box it scrolls sideways there, and keyboards must reach it.
  return `<div class="api-table" tabindex="0"><table>\n<caption>${caption}</caption>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table></div>`;
}

/** The request an example makes: path with example ids, JSON body, or a file for a binary body. */
function exampleRequest(document, method, path, operation) {
  const url = path.replace("{id}", EXAMPLE_IDS[path] ?? "ID");
  const params = (operation.parameters ?? []).map((p) => resolve(document, p));
  const idempotent = params.some((p) => p.name === "Idempotency-Key");
  const content = resolve(document, operation.requestBody)?.content ?? {};
  let json = null;
  let file = null;
  if (content["application/json"]) {
    const media = content["application/json"];
    json = Object.values(media.examples ?? {})[0]?.value ?? {};
    if (refName(media.schema?.$ref ?? "") === "DeleteRequest") json = { ids: [EXAMPLE_IDS["/api/generations/{id}"]] };
    if (refName(media.schema?.$ref ?? "") === "ShareRequest") json = { show_prompt: false };
  } else if (content["image/png"]) {
    file = { path: "reference.png", type: "image/png" };
  }
  return { method: method.toUpperCase(), url, idempotent, json, file, binaryAnswer: path.startsWith("/images/") };
}

function curl(r) {
  const lines = [`curl -X ${r.method} "$GPTIMG_URL${r.url}"`, `  -H "Authorization: Bearer $GPTIMG_KEY"`];
  if (r.idempotent) lines.push(`  -H "Idempotency-Key: $(uuidgen)"`);
  if (r.json) lines.push(`  -H "Content-Type: application/json"`, `  -d '${JSON.stringify(r.json)}'`);
  if (r.file) lines.push(`  -H "Content-Type: ${r.file.type}"`, `  --data-binary @${r.file.path}`);
  if (r.binaryAnswer && r.method === "GET") lines.push("  -o image.png");
  return lines.join(" \\\n");
}

function javascript(r) {
  const headers = [`Authorization: \`Bearer \${process.env.GPTIMG_KEY}\``];
  if (r.idempotent) headers.push(`"Idempotency-Key": crypto.randomUUID()`);
  if (r.json) headers.push(`"Content-Type": "application/json"`);
  if (r.file) headers.push(`"Content-Type": "${r.file.type}"`);
  const body = r.json ? `\n  body: JSON.stringify(${JSON.stringify(r.json)}),` : r.file ? `\n  body: await readFile("${r.file.path}"),` : "";
  const read = r.binaryAnswer ? "await response.arrayBuffer()" : r.method === "DELETE" && !r.url.endsWith("favourite") ? "response.status" : "await response.json()";
  return [
    r.file && `import { readFile } from "node:fs/promises";\n`,
    `const response = await fetch(\`\${process.env.GPTIMG_URL}${r.url}\`, {`,
    `  method: "${r.method}",`,
    `  headers: {\n    ${headers.join(",\n    ")},\n  },${body}`,
    `});`,
    `console.log(response.status, ${read});`,
  ].filter(Boolean).join("\n");
}

function python(r) {
  const headers = [`"Authorization": f"Bearer {os.environ['GPTIMG_KEY']}"`];
  if (r.idempotent) headers.push(`"Idempotency-Key": str(uuid.uuid4())`);
  if (r.file) headers.push(`"Content-Type": "${r.file.type}"`);
  const args = [`f"{os.environ['GPTIMG_URL']}${r.url}"`, `headers={${headers.join(", ")}}`];
  if (r.json) args.push(`json=${JSON.stringify(r.json).replaceAll("false", "False").replaceAll("true", "True").replaceAll("null", "None")}`);
  if (r.file) args.push(`data=open("${r.file.path}", "rb").read()`);
  const read = r.binaryAnswer ? "len(response.content)" : r.method === "DELETE" && !r.url.endsWith("favourite") ? "response.ok" : "response.json()";
  return [
    `import os${r.idempotent ? ", uuid" : ""}`,
    "import requests",
    "",
    `response = requests.${r.method.toLowerCase()}(\n    ${args.join(",\n    ")},\n)`,
    `print(response.status_code, ${read})`,
  ].join("\n");
}

function examples(request, id) {
  const blocks = [["curl", "curl", curl(request)], ["JavaScript (fetch)", "js", javascript(request)], ["Python (requests)", "python", python(request)]];
  return `<div class="api-examples">\n${blocks
    .map(([label, kind, code]) => `<figure class="api-example">\n<figcaption>${label}</figcaption>\n<pre id="example-${id}-${kind}" tabindex="0"><code>${escape(code).replaceAll("\n", "&#10;")}</code></pre>\n</figure>`)
    .join("\n")}\n</div>`;
}

function operationSection(document, method, path, operation, pathItem) {
  const id = operation.operationId;
  const params = [...(pathItem.parameters ?? []), ...(operation.parameters ?? [])].map((p) => resolve(document, p));
  const security = (operation.security ?? document.security).map((s) => Object.keys(s)[0] ?? "none");
  const who = security.map((s) => ({ bearerAuth: "API key (bearer)", sessionCookie: "session cookie", none: "no credential" })[s] ?? s).join(", ");
  const body = resolve(document, operation.requestBody);
  const responses = Object.entries(operation.responses).map(([status, raw]) => {
    const response = resolve(document, raw);
    const types = Object.entries(response.content ?? {}).map(([type, media]) => `<code>${escape(type)}</code> ${typeLabel(media.schema)}`);
    const headers = Object.keys(response.headers ?? {}).map((h) => `<code>${escape(h)}</code>`);
    return [`<strong>${escape(status)}</strong>`, prose(response.description), types.join("<br>") || "—", headers.join(", ") || "—"];
  });
  return `<section class="api-operation" id="op-${slug(id)}" aria-labelledby="op-${slug(id)}-title">
<h3 id="op-${slug(id)}-title"><span class="api-method api-method-${method}">${method.toUpperCase()}</span> <code>${escape(path)}</code></h3>
<p><strong>${escape(operation.summary ?? "")}</strong>${operation.description ? ` ${prose(operation.description)}` : ""}</p>
<p class="muted">Credentials: ${who}. Operation id: <code>${escape(id)}</code>.</p>
${table("Parameters", ["Name", "In", "Type", "Required", "Description"], params.map((p) => [
    `<code>${escape(p.name)}</code>`, escape(p.in), [typeLabel(p.schema), constraints(p.schema)].filter(Boolean).join("; "), p.required ? "yes" : "no", prose(p.description)]))}
${body ? table("Request body", ["Content type", "Schema", "Required"], Object.entries(body.content).map(([type, media]) => [
    `<code>${escape(type)}</code>`, typeLabel(media.schema), body.required ? "yes" : "no"])) : ""}
${table("Responses", ["Status", "Meaning", "Body", "Headers"], responses)}
${examples(exampleRequest(document, method, path, operation), slug(id))}
</section>`;
}

function schemaSection(name, schema) {
  const properties = Object.entries(schema.properties ?? {});
  const required = new Set(schema.required ?? []);
  const rows = properties.map(([field, property]) => [
    `<code>${escape(field)}</code>`, [typeLabel(property), constraints(property)].filter(Boolean).join("; "),
    required.has(field) ? "yes" : "no", prose(property.description ?? ""),
  ]);
  const summary = schema.properties ? "" : `<p>${typeLabel(schema)}</p>`;
  return `<section class="api-schema" id="schema-${slug(name)}" aria-labelledby="schema-${slug(name)}-title">
<h3 id="schema-${slug(name)}-title">${escape(name)}</h3>
${schema.description ? `<p>${prose(schema.description)}</p>` : ""}${summary}
${table(`${escape(name)} fields`, ["Field", "Type", "Always present", "Description"], rows)}
</section>`;
}

const METHODS = ["get", "head", "post", "put", "patch", "delete"];

/** The page body for `document`. */
export function renderApiDocs(document) {
  const operations = Object.entries(document.paths).flatMap(([path, item]) =>
    METHODS.filter((m) => item[m]).map((method) => ({ method, path, operation: item[method], item })));
  const byTag = document.tags.map((tag) => ({ tag, ops: operations.filter((o) => o.operation.tags?.[0] === tag.name) }));
  const toc = byTag.map(({ tag, ops }) => `<li><a href="#tag-${slug(tag.name)}">${escape(tag.name)}</a><ul>${ops
    .map((o) => `<li><a href="#op-${slug(o.operation.operationId)}" title="${escape(o.operation.summary)}"><span class="api-toc-method">${o.method.toUpperCase()}</span> <code>${escape(o.path).replaceAll("/", "/<wbr>")}</code></a></li>`)
    .join("")}</ul></li>`).join("\n");
  const schemes = Object.entries(document.components.securitySchemes)
    .map(([name, s]) => `<li><code>${escape(name)}</code>: ${prose(s.description)}</li>`).join("\n");
  // The contents: a sticky side column on a wide screen, a collapsible "Contents" bar kept at the top on a phone.
  return `<div class="api-layout">
<nav aria-label="Contents" class="api-toc">
<details class="api-toc-details" id="api-toc">
<summary>Contents</summary>
<ul>
<li><a href="#api-start">Getting started</a></li>
${toc}
<li><a href="#api-schemas">Schemas</a></li>
</ul>
</details>
</nav>
<div class="api-body">
<h1>${escape(document.info.title)}</h1>
<p class="lead">${prose(document.info.summary)}</p>
<p>${prose(document.info.description)}</p>
<p>The machine-readable document: <a href="/api/openapi.json"><code>/api/openapi.json</code></a> (OpenAPI ${escape(document.openapi)}, version ${escape(document.info.version)}).</p>
<section aria-labelledby="api-start">
<h2 id="api-start">Getting started</h2>
<ol>
<li>Create a key on your <a href="/account">account page</a>. It is shown once; keep it secret.</li>
<li>Set <code>GPTIMG_URL</code> to this site's address and <code>GPTIMG_KEY</code> to your key; the examples below read them.</li>
<li>Start a generation with <code>POST /api/generations</code>, then poll <code>GET /api/generations/&#123;id&#125;</code> until <code>in_progress</code> is false.</li>
</ol>
<h3>Credentials</h3>
<ul>
${schemes}
</ul>
<h3>Retrying safely</h3>
<p>Send an <code>Idempotency-Key</code> header (for example a UUID) with <code>POST /api/generations</code> and <code>POST /api/uploads</code>. Repeating a request with the same key within 24 hours returns the first answer with <code>Idempotent-Replayed: true</code> and charges or stores nothing again; the same key with a different request is 409 <code>idempotency_key_reused</code>. Requests that fail are not remembered.</p>
<h3>Errors and limits</h3>
<p>Every error is ${prose('`{"error":{"code","message"}}`')} with a stable <code>code</code>. Over a rate limit the answer is 429 with <code>Retry-After</code> (seconds) and <code>retry_after_seconds</code> in the body.</p>
</section>
${byTag.map(({ tag, ops }) => `<section aria-labelledby="tag-${slug(tag.name)}">
<h2 id="tag-${slug(tag.name)}">${escape(tag.name)}</h2>
<p>${prose(tag.description)}</p>
${ops.map((o) => operationSection(document, o.method, o.path, o.operation, o.item)).join("\n")}
</section>`).join("\n")}
<section aria-labelledby="api-schemas">
<h2 id="api-schemas">Schemas</h2>
${Object.entries(document.components.schemas).map(([name, schema]) => schemaSection(name, schema)).join("\n")}
</section>
</div>
</div>`;
}
