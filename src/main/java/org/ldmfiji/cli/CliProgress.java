package org.ldmfiji.cli;

import org.ldmfiji.task.Progress;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Progress on the terminal: the job's status lines, and the steps at every tenth of the run with the elapsed time;
 * cancelled by Ctrl-C ({@link Interruption}).
 */
final class CliProgress implements Progress {

	private final PrintStream out;
	private final String name;
	private final long start = System.nanoTime();
	private int lastTenth = -1;

	CliProgress(PrintStream out, String name) {
		this.out = out;
		this.name = name;
	}

	@Override
	public void status(String message) {
		out.println(message);
	}

	@Override
	public void progress(long done, long total) {
		Interruption.stepDone();
		int tenth = (int) (10 * done / Math.max(1, total));
		if (tenth == lastTenth) return;
		lastTenth = tenth;
		out.println(String.format(Locale.ROOT, "  %s: step %d of %d (%d%%), %.1f s", name, done, total, 10 * tenth,
			(System.nanoTime() - start) / 1e9));
	}

	/** Ctrl-C ({@link Interruption}). */
	@Override
	public void checkCancelled() {
		Interruption.check();
	}
}
