// Runs the local stand-ins as a process for `scripts/dev.sh`: node main.mjs --port 8790
// The Worker's secrets come from the environment (dev.sh exports them from .dev.vars).
import { startFakes } from "./server.mjs";

const portArg = process.argv.indexOf("--port");
const port = portArg > 0 ? Number(process.argv[portArg + 1]) : 8790;
const fakes = await startFakes({ port, secrets: { GOOGLE_CLIENT_SECRET: process.env.GOOGLE_CLIENT_SECRET } });
console.log(`[fakes] stand-ins for Google, Stripe and APIPod listening on ${fakes.url}`);
const stop = async () => { await fakes.close(); process.exit(0); };
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
