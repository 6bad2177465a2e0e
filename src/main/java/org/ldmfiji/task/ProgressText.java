package org.ldmfiji.task;

import java.util.Locale;

/**
 * The words of a progress report, shared by the terminal, ImageJ 1.x's status bar and SciJava's: the steps done,
 * the time so far and the time left, t_left = t · (total − done) / done, the rate of the steps so far carried over to
 * the rest. On a CPU one job can run for the better part of an hour (a 960 × 540 colour image super-resolved with the
 * default 8 samples on a 2-core CPU), and the share done alone says nothing of when it ends.
 */
public final class ProgressText {

	private ProgressText() {}

	/** "name: step 5 of 60 (8%), 3 min 28 s, about 38 min left"; the time left only once a step is done. */
	public static String steps(String name, long done, long total, double seconds) {
		long percent = 100 * done / Math.max(1, total);
		String text = String.format(Locale.ROOT, "%s: step %d of %d (%d%%), %s", name, done, total, percent,
			duration(seconds));
		if (done > 0 && done < total) text += ", about " + duration(seconds * (total - done) / done) + " left";
		return text;
	}

	/** "4.2 s" below a minute, "3 min 28 s" below ten minutes, "38 min" below two hours, then "5 h 12 min". */
	public static String duration(double seconds) {
		if (seconds < 60) return String.format(Locale.ROOT, "%.1f s", seconds);
		long s = Math.round(seconds);
		if (s < 600) return s / 60 + " min " + s % 60 + " s";
		long min = Math.round(seconds / 60);
		if (min < 120) return min + " min";
		return min / 60 + " h " + min % 60 + " min";
	}
}
