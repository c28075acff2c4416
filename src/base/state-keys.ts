/**
 * The keys the main step saves for the post step (`core.saveState` / `core.getState`): one table, so the two
 * halves of the action cannot drift apart (actions/setup-node keeps its state keys in one enum, constants.ts).
 */
export enum StateKey {
  /** Set by the main step: the next invocation is the post step. */
  IsPost = 'isPost',
  /** The main step held snap auto-refreshes of microk8s; the post step releases the hold. */
  Held = 'held',
  /** The path of the addon cycle's journal while an addon may be down; the post step finishes the cycle. */
  CycleJournal = 'cycle-journal'
}
