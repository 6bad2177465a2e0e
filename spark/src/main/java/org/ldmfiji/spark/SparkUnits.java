package org.ldmfiji.spark;

import org.apache.spark.util.LongAccumulator;
import org.ldmfiji.task.LatentDiffusion;

/** What every unit does first: take this executor JVM's opened bundle, counting the opens in the job's accumulator. */
final class SparkUnits {

	private SparkUnits() {}

	static LatentDiffusion bundle(Bundles.Ref ref, LongAccumulator opens) {
		LatentDiffusion ld = Bundles.get(ref);
		synchronized (SparkUnits.class) { // count each open once, whichever task thread did it
			int now = Bundles.OPENS.get();
			if (now > COUNTED) {
				opens.add(now - COUNTED);
				COUNTED = now;
			}
		}
		return ld;
	}

	private static int COUNTED;
}
