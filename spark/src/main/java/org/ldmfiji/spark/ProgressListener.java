package org.ldmfiji.spark;

import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Progress of a job's stage on stderr, from Spark's listener bus: units done of total and the estimated time left,
 * (elapsed / done) × remaining over the units that ran (a skipped unit counts as done but not toward the rate: it
 * costs almost nothing). One task is one unit (each unit is its own partition).
 */
final class ProgressListener extends SparkListener {

	private final PrintStream err;
	private volatile String stage = "";
	private volatile long total, done, started;

	ProgressListener(PrintStream err) {
		this.err = err;
	}

	/** Starts counting a stage of {@code units} units (called by the driver before it submits the stage). */
	synchronized void begin(String name, long units) {
		stage = name;
		total = units;
		done = 0;
		started = System.nanoTime();
	}

	@Override
	public void onStageSubmitted(SparkListenerStageSubmitted e) {
		// begin() already set the counts; nothing else to do per stage
	}

	@Override
	public synchronized void onTaskEnd(SparkListenerTaskEnd e) {
		if (!e.taskInfo().successful() || total == 0) return;
		done++;
		double elapsed = (System.nanoTime() - started) / 1e9;
		double left = done == 0 ? Double.NaN : elapsed / done * (total - done);
		err.println(String.format(Locale.ROOT, "ldm-spark: %s %d/%d units done, %.0f s elapsed, about %s left", stage,
			done, total, elapsed, done >= total ? "0 s" : format(left)));
	}

	static String format(double seconds) {
		if (Double.isNaN(seconds)) return "?";
		if (seconds < 120) return String.format(Locale.ROOT, "%.0f s", seconds);
		if (seconds < 7200) return String.format(Locale.ROOT, "%.1f min", seconds / 60);
		return String.format(Locale.ROOT, "%.1f h", seconds / 3600);
	}
}
