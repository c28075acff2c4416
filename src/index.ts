/** The action's entry point (main and post step): everything happens in run(). */
import { run } from './main.js'

await run()
