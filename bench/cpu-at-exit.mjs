// Preloaded with --import by bench/cold-start.mjs: at exit, writes the process's CPU time (user + system, µs, from
// process start) to the file named by BENCH_CPU_FILE.
import * as fs from 'node:fs'
process.on('exit', () => {
  const { user, system } = process.cpuUsage()
  fs.writeFileSync(process.env.BENCH_CPU_FILE, String(user + system))
})
