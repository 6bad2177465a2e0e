package org.ldmfiji.spark;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.ldmfiji.task.ProgressText;

import java.io.PrintStream;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Progress of a job's stage on stderr, from Spark's listener bus: units done of total and the estimated time left,
 * (elapsed / done) × remaining over the units that ran (a skipped unit counts as done but not toward the rate: it
 * costs almost nothing). One task is one unit (each unit is its own partition). The bus delivers events after the
 * driver has moved on, so a stage's last task may end after {@link #begin} named the next one: every Spark stage is
 * counted under the name its jobs carry (a local property set by {@code begin}), not under the latest name.
 */
final class ProgressListener extends SparkListener {

	/** The local property that tags the jobs of a {@link #begin} with its name. */
	static final String PROPERTY = "ldm.progress.stage";

	private final PrintStream err;
	private final JavaSparkContext jsc;
	private final Map<String, Counter> byName = new HashMap<>();
	private final Map<Integer, Counter> byStage = new HashMap<>();

	ProgressListener(PrintStream err, JavaSparkContext jsc) {
		this.err = err;
		this.jsc = jsc;
	}

	/** Starts counting a stage of {@code units} units (called by the driver before it submits the stage). */
	synchronized void begin(String name, long units) {
		byName.put(name, new Counter(name, units));
		jsc.setLocalProperty(PROPERTY, name);
	}

	@Override
	public synchronized void onStageSubmitted(SparkListenerStageSubmitted e) {
		String name = e.properties() == null ? null : e.properties().getProperty(PROPERTY);
		Counter c = name == null ? null : byName.get(name);
		if (c != null) byStage.put(e.stageInfo().stageId(), c);
	}

	@Override
	public synchronized void onTaskEnd(SparkListenerTaskEnd e) {
		Counter c = byStage.get(e.stageId());
		if (c == null || !e.taskInfo().successful() || c.total == 0) return;
		c.done++;
		double elapsed = (System.nanoTime() - c.started) / 1e9;
		double left = elapsed / c.done * (c.total - c.done);
		err.println(String.format(Locale.ROOT, "ldm-spark: %s %d/%d units done, %s elapsed, about %s left", c.name,
			c.done, c.total, format(elapsed), c.done >= c.total ? "0 s" : format(left)));
	}

	/** One named stage's count. */
	private static final class Counter {
		final String name;
		final long total, started = System.nanoTime();
		long done;

		Counter(String name, long total) {
			this.name = name;
			this.total = total;
		}
	}

	/** A duration as progress lines write it ({@link ProgressText#duration}); "?" for NaN. */
	static String format(double seconds) {
		return Double.isNaN(seconds) ? "?" : ProgressText.duration(seconds);
	}
}
