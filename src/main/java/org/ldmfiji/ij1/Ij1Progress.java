package org.ldmfiji.ij1;

import ij.IJ;

import org.ldmfiji.task.Progress;
import org.ldmfiji.task.ProgressText;

import java.util.concurrent.CancellationException;

/**
 * Progress in ImageJ 1.x's status and progress bars, with the time left ({@link ProgressText}); Esc cancels
 * ({@link IJ#escapePressed()}).
 */
final class Ij1Progress implements Progress {

	private final String title;
	private final long start = System.nanoTime();

	Ij1Progress(String title) {
		this.title = title;
		IJ.resetEscape();
	}

	@Override
	public void status(String message) {
		IJ.showStatus(message);
	}

	@Override
	public void progress(long done, long total) {
		checkCancelled();
		IJ.showProgress((double) done / Math.max(1, total));
		IJ.showStatus(ProgressText.steps(title, done, total, (System.nanoTime() - start) / 1e9) + " (Esc cancels)");
	}

	@Override
	public void checkCancelled() {
		if (IJ.escapePressed()) {
			IJ.resetEscape();
			throw new CancellationException(title + " cancelled: nothing was changed or created");
		}
	}

	void done(String message) {
		IJ.showProgress(1.0);
		IJ.showStatus(message);
	}
}
