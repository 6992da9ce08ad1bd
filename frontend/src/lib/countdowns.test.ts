import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { Countdowns } from "./countdowns";

describe("Countdowns", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("fires after its time", () => {
    const timers = new Countdowns();
    const fire = vi.fn();
    timers.start(1, 4000, fire);
    vi.advanceTimersByTime(3999);
    expect(fire).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(fire).toHaveBeenCalledTimes(1);
    expect(timers.left(1)).toBeUndefined();
  });

  it("does not count paused time, and keeps what was left", () => {
    const timers = new Countdowns();
    const fire = vi.fn();
    timers.start(1, 4000, fire);
    vi.advanceTimersByTime(3000);
    timers.pause();
    vi.advanceTimersByTime(60_000);
    expect(fire).not.toHaveBeenCalled();
    expect(timers.left(1)).toBe(1000);
    timers.resume();
    vi.advanceTimersByTime(999);
    expect(fire).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(fire).toHaveBeenCalledTimes(1);
  });

  it("holds a timer started while paused until resumed", () => {
    const timers = new Countdowns();
    const fire = vi.fn();
    timers.pause();
    timers.start(2, 500, fire);
    vi.advanceTimersByTime(10_000);
    expect(fire).not.toHaveBeenCalled();
    timers.resume();
    vi.advanceTimersByTime(500);
    expect(fire).toHaveBeenCalledTimes(1);
  });

  it("pauses and resumes every timer, each with its own time left", () => {
    const timers = new Countdowns();
    const first = vi.fn();
    const second = vi.fn();
    timers.start(1, 4000, first);
    vi.advanceTimersByTime(2000);
    timers.start(2, 7000, second);
    timers.pause();
    timers.pause(); // a second pause changes nothing
    vi.advanceTimersByTime(30_000);
    timers.resume();
    vi.advanceTimersByTime(2000);
    expect(first).toHaveBeenCalledTimes(1);
    expect(second).not.toHaveBeenCalled();
    vi.advanceTimersByTime(5000);
    expect(second).toHaveBeenCalledTimes(1);
  });

  it("cancels, and a restart replaces the old timer", () => {
    const timers = new Countdowns();
    const fire = vi.fn();
    timers.start(1, 1000, fire);
    timers.cancel(1);
    timers.start(2, 1000, fire);
    timers.start(2, 3000, fire);
    vi.advanceTimersByTime(2000);
    expect(fire).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1000);
    expect(fire).toHaveBeenCalledTimes(1);
  });
});
