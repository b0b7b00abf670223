// Runs the local stand-ins as a process for `scripts/dev.sh`: node main.mjs --port 8790
import { startFakes } from "./server.mjs";

const portArg = process.argv.indexOf("--port");
const port = portArg > 0 ? Number(process.argv[portArg + 1]) : 8790;
const fakes = await startFakes({ port });
console.log(`[fakes] stand-ins for Google, Stripe and APIPod listening on ${fakes.url}`);
const stop = async () => { await fakes.close(); process.exit(0); };
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
