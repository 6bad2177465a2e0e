package org.ldmfiji.spark;

import org.apache.spark.api.java.JavaSparkContext;

import org.ldmfiji.image.FloatPlanes;
import org.ldmfiji.model.Manifest;
import org.ldmfiji.task.LatentDiffusion;
import org.ldmfiji.task.SuperResolution;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * {@code --dry-run}: the units, the memory an executor needs and the time the run should take, from a calibration
 * on one executor: the bundle's opening, then one window of the run's largest size super-resolved with 1 and with 3
 * steps (after a warm-up run), which separates the per-step time from the fixed cost (decoding, consistency).
 */
final class Plan {

	private Plan() {}

	/** [seconds to open the bundle (0 if it was open), seconds for 1 step, seconds for 3 steps], after a warm-up. */
	static double[] calibrate(Bundles.Ref ref, RunSettings s, int window) {
		long t0 = System.nanoTime();
		LatentDiffusion ld = Bundles.get(ref);
		double open = (System.nanoTime() - t0) / 1e9;
		Manifest m = ld.bundle().manifest();
		int side = Math.max(window, m.denoiser(SuperResolution.TASK).latentMultiple);
		FloatPlanes low = FloatPlanes.zeros(m.imageChannels, side, side);
		float[] d = low.data();
		for (int i = 0; i < d.length; i++) d[i] = (float) (0.5 * Math.sin(i * 0.37) * Math.cos(i * 0.011));
		double[] t = new double[3];
		synchronized (ld) {
			// a warm-up run first: TorchScript's first calls profile and optimise the graph and would count as steps
			for (int run = 0; run < 3; run++) {
				long a = System.nanoTime();
				new SuperResolution(ld.bundle(), s.with(run < 2 ? 1 : 3).sampling(s.seed)).run(low, s.samples, s.tile, s.consistency,
					(x, y) -> {});
				t[run] = (System.nanoTime() - a) / 1e9;
			}
		}
		return new double[] {open, t[1], t[2]};
	}

	static void print(PrintStream out, JavaSparkContext jsc, Bundles.Ref ref, RunSettings s, Manifest m, Path folder,
		long units, int window, ZarrJob.Job job, List<FolderJob.Unit> planes)
	{
		int slots = jsc.defaultParallelism();
		int f = m.autoencoder.factor;
		long bundle = SparkMain.folderBytes(folder);
		long out2 = (long) window * f * window * f;
		// the Java heap of one window's super-resolution, per concurrent task (what the ImageJ command checks too)
		long working = SuperResolution.workingBytes(out2, m.imageChannels, s.samples);
		out.println(String.format(Locale.ROOT, "plan: %d unit(s) of work%s on %d task slot(s)", units, job != null
			? " (blocks), then " + ZarrJob.chunks(job.grid, job.chunk).size() + " output chunk(s)" : " (planes), then one assembly "
			+ "per image", slots));
		out.println(String.format(Locale.ROOT, "memory per executor: about %d MiB = bundle %d MiB (TorchScript parts, held "
			+ "once per JVM) + %d MiB per concurrent task (a %dx%d px window, x%d) + JVM overhead; give "
			+ "spark.executor.memory at least %d MiB per core", (2 * bundle + working) >> 20, bundle >> 20, working >> 20,
			window, window, f, Math.max(1024, ((2 * bundle + working) >> 20) + 512)));
		String w = Integer.toString(window);
		List<double[]> cal = jsc.parallelize(List.of(w), 1).map(x -> calibrate(ref, s, Integer.parseInt(x))).collect();
		double[] c = cal.get(0);
		double perStep = Math.max(0, (c[2] - c[1]) / 2), fixed = Math.max(0, c[1] - perStep);
		double perUnit = fixed + s.steps * perStep;
		double total = c[0] + units * perUnit / slots;
		out.println(String.format(Locale.ROOT, "calibration on an executor: bundle opened in %.2f s; a %dx%d window: %.3f s "
			+ "per step + %.3f s fixed = %.2f s per unit at %d steps", c[0], window, window, perStep, fixed, perUnit, s.steps));
		out.println(String.format(Locale.ROOT, "estimated time: %s (%d units x %.2f s / %d slot(s), plus the bundle's opening)",
			ProgressListener.format(total), units, perUnit, slots));
	}
	/**
	 * {@code --dry-run} of a folder run of any plane task: the units, the memory per task (the largest source's planes
	 * of one unit and the task's windows, ≈ 16 floats per pixel of a window of at most twice the model's native size),
	 * and the time, from the first unit computed twice on one executor (the first run warms TorchScript up and opens
	 * the bundle; the second is timed).
	 */
	static void printUnits(PrintStream out, JavaSparkContext jsc, Bundles.Ref ref, PlaneWork work, Path folder,
		List<FolderJob.Unit> units, int steps)
	{
		int slots = jsc.defaultParallelism();
		long bundle = SparkMain.folderBytes(folder);
		Manifest m = Manifest.read(folder);
		int side = 0;
		long planeBytes = 0;
		for (FolderJob.Unit u : units) {
			if (u.plane != 1) continue;
			ij.ImagePlus imp = FolderJob.open(u.path);
			side = Math.max(side, Math.max(imp.getWidth(), imp.getHeight()));
			planeBytes = Math.max(planeBytes, (long) imp.getWidth() * imp.getHeight() * imp.getNChannels() * 4 * 3);
			imp.close();
		}
		int window = 2 * m.denoiser(org.ldmfiji.task.Inpainting.TASK).nativeSize;
		long working = planeBytes + (long) window * window * 4L * 16 * m.imageChannels;
		out.println(String.format(Locale.ROOT, "plan: %d unit(s) of work (%s of one (slice, frame) position each), then one "
			+ "assembly per image, on %d task slot(s)", units.size(), work.name(), slots));
		out.println(String.format(Locale.ROOT, "memory per executor: about %d MiB = bundle %d MiB (held once per JVM) + %d MiB "
			+ "per concurrent task (planes up to %d px a side, windows up to %d px) + JVM overhead; give spark.executor.memory "
			+ "at least %d MiB per core", (2 * bundle + working) >> 20, bundle >> 20, working >> 20, side, window,
			Math.max(1024, ((2 * bundle + working) >> 20) + 512)));
		FolderJob.Unit first = units.get(0);
		List<double[]> cal = jsc.parallelize(List.of(first), 1).map(u -> {
			double[] t = new double[2];
			for (int run = 0; run < 2; run++) {
				long a = System.nanoTime();
				work.compute(Bundles.get(ref), FolderJob.open(u.path), u);
				t[run] = (System.nanoTime() - a) / 1e9;
			}
			return t;
		}).collect();
		double perUnit = cal.get(0)[1];
		out.println(String.format(Locale.ROOT, "calibration on an executor: %s, first run (with the bundle's opening and "
			+ "warm-up) %.2f s, then %.2f s per unit at %d steps", first, cal.get(0)[0], perUnit, steps));
		out.println(String.format(Locale.ROOT, "estimated time: %s (%d units x %.2f s on %d slot(s), plus the bundle's opening)",
			ProgressListener.format(Math.ceil((double) units.size() / slots) * perUnit), units.size(), perUnit, slots));
	}
}
