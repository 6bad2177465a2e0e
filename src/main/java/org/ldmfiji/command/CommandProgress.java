package org.ldmfiji.command;

import ij.IJ;

import org.ldmfiji.task.Progress;
import org.ldmfiji.task.ProgressText;
import org.scijava.Cancelable;
import org.scijava.app.StatusService;

import java.util.concurrent.CancellationException;

/**
 * Progress of a SciJava command: the status bar through {@link StatusService}, with the time left
 * ({@link ProgressText}); cancelled when the command is cancelled ({@link Cancelable}), its thread interrupted, or Esc
 * pressed in ImageJ ({@link IJ#escapePressed()}).
 */
final class CommandProgress implements Progress {

	private final StatusService status;
	private final Cancelable command;
	private final String title;
	private final long start = System.nanoTime();

	CommandProgress(StatusService status, Cancelable command, String title) {
		this.status = status;
		this.command = command;
		this.title = title;
		IJ.resetEscape();
	}

	@Override
	public void status(String message) {
		if (status != null) status.showStatus(message);
	}

	@Override
	public void progress(long done, long total) {
		checkCancelled();
		if (status != null) status.showStatus((int) Math.min(done, Integer.MAX_VALUE), (int) Math.min(total,
			Integer.MAX_VALUE), ProgressText.steps(title, done, total, (System.nanoTime() - start) / 1e9));
	}

	@Override
	public void checkCancelled() {
		if (command.isCanceled() || Thread.currentThread().isInterrupted() || IJ.escapePressed()) {
			IJ.resetEscape();
			throw new CancellationException(title + " cancelled: nothing was changed or created");
		}
	}

	/** Clears the status bar. */
	void done() {
		if (status != null) status.clearStatus();
	}
}
