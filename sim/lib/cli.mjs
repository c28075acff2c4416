// Runs one simulated command as its own Node process: `node sim/lib/cli.mjs TOOL ARGS…` (see sim/README.md).
// State: the JSON file named by MICROK8S_SIM_STATE. sim/bin/snap and sim/bin/microk8s come here when no simulator
// server (sim/lib/server.mjs) is running.
import { runTool } from './main.mjs'
const [tool, ...argv] = process.argv.slice(2)
process.exitCode = await runTool(tool, argv)
