package org.ldmfiji.cli;

import org.ldmfiji.task.Progress;
import org.ldmfiji.task.ProgressText;

import java.io.PrintStream;
import java.util.function.LongSupplier;

/**
 * Progress on the terminal: the job's status lines, and the steps with the time so far and the time left
 * ({@link ProgressText}) at every tenth of the run and at least once a minute (a long run on a CPU spends many
 * minutes within one tenth); cancelled by Ctrl-C ({@link Interruption}).
 */
final class CliProgress implements Progress {

	/** A steps line is printed at least this often while steps are done, in nanoseconds. */
	static final long EVERY = 60_000_000_000L;

	private final PrintStream out;
	private final String name;
	private final LongSupplier clock;
	private final long start;
	private long last;
	private int lastTenth = -1;

	CliProgress(PrintStream out, String name) {
		this(out, name, System::nanoTime);
	}

	/** With a clock in nanoseconds (a test's). */
	CliProgress(PrintStream out, String name, LongSupplier clock) {
		this.out = out;
		this.name = name;
		this.clock = clock;
		start = last = clock.getAsLong();
	}

	@Override
	public void status(String message) {
		out.println(message);
	}

	@Override
	public void progress(long done, long total) {
		Interruption.stepDone();
		int tenth = (int) (10 * done / Math.max(1, total));
		long now = clock.getAsLong();
		if (tenth == lastTenth && now - last < EVERY) return;
		lastTenth = tenth;
		last = now;
		out.println("  " + ProgressText.steps(name, done, total, (now - start) / 1e9));
	}

	/** Ctrl-C ({@link Interruption}). */
	@Override
	public void checkCancelled() {
		Interruption.check();
	}
}
