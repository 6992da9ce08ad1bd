/**
 * One-shot timers that pause and resume together, each keeping the time it had left.
 *
 * The toasts use it so that nothing expires while someone points at or tabs into them: a toast
 * with an Undo stays until it has been read (WCAG 2.2.1, timing adjustable), and no toast drops
 * down under the pointer because an older one below it ran out.
 */
export class Countdowns {
  private timers = new Map<number, { left: number; since: number; handle?: ReturnType<typeof setTimeout>; fire: () => void }>();
  private paused = false;

  constructor(private readonly now: () => number = Date.now) {}

  /** Call `fire` after `ms` of running time (paused time does not count). */
  start(id: number, ms: number, fire: () => void): void {
    this.cancel(id);
    const timer = { left: ms, since: this.now(), fire };
    this.timers.set(id, timer);
    if (!this.paused) this.arm(id);
  }

  cancel(id: number): void {
    const timer = this.timers.get(id);
    if (timer?.handle !== undefined) clearTimeout(timer.handle);
    this.timers.delete(id);
  }

  pause(): void {
    if (this.paused) return;
    this.paused = true;
    const now = this.now();
    for (const timer of this.timers.values()) {
      if (timer.handle !== undefined) clearTimeout(timer.handle);
      timer.handle = undefined;
      timer.left = Math.max(0, timer.left - (now - timer.since));
    }
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    for (const id of this.timers.keys()) this.arm(id);
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** Milliseconds of running time `id` has left, or undefined when it has none. */
  left(id: number): number | undefined {
    const timer = this.timers.get(id);
    if (!timer) return undefined;
    return timer.handle === undefined ? timer.left : Math.max(0, timer.left - (this.now() - timer.since));
  }

  private arm(id: number): void {
    const timer = this.timers.get(id);
    if (!timer) return;
    timer.since = this.now();
    timer.handle = setTimeout(() => {
      this.timers.delete(id);
      timer.fire();
    }, timer.left);
  }
}
