package org.ldmfiji.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import org.ldmfiji.diffusion.Conditioning;
import org.ldmfiji.diffusion.GaussianNoise;
import org.ldmfiji.diffusion.ModelDenoiser;
import org.ldmfiji.model.Manifest;
import org.ldmfiji.model.Manifest.InputSpec;
import org.ldmfiji.model.ModelBundle;
import org.ldmfiji.model.TorchScriptPart;
import org.ldmfiji.image.FillBenchmark;
import org.ldmfiji.image.FloatPlanes;
import org.ldmfiji.task.LargeImageSampling;
import org.ldmfiji.task.OptionTable;
import org.ldmfiji.task.SamplingSettings;
import org.ldmfiji.tiling.MemoryEstimate;
import org.ldmfiji.tiling.NativeMemory;
import org.ldmfiji.tiling.TileGrid;
import org.ldmfiji.tiling.TileSettings;
import org.ldmfiji.tiling.TiledAutoencoder;
import org.ldmfiji.tiling.TiledDenoiser;
import org.ldmfiji.tiling.TiledSampler;
import org.ldmfiji.tiling.Window;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Supplier;

/**
 * {@code ./ldm bench}: for each denoiser of the model, the time per sampling step of the whole pipeline, the summed
 * time of the TorchScript forwards inside it ({@link TorchScriptPart#forwardNanos}: the same inputs the sampler
 * produced), and the pipeline's overhead above them. For comparison, the forward timed alone on a fixed random input
 * of the same shape ("bare"): it differs from the in-pipeline forward by what the input's values do to the
 * arithmetic, not by pipeline cost. Best of several repeats (the least disturbed by other load), after a warm-up
 * ({@code --warmup S} seconds, default 10) that is not counted except for its first run (see {@link #time}).
 */
final class BenchCommand {

	private final Options options;

	BenchCommand(List<String> args) {
		options = new Options("bench", args, Set.of("model", "steps", "sampler", "seed", "eta", "device", "size", "repeats",
			"guidance", "task", "sizes", "tile", "overlap", "batch", "warmup", "previous-sizes",
			"max-tile"), Set.of("scaling", "memory", "previous",
			"shifting", "torus", "fill"));
	}

	/** The comma-separated sides in pixels of {@code --name} (default {@code defaults}), each from 8 to 65536. */
	private int[] sides(String name, String defaults) {
		String given = options.get(name, defaults);
		try {
			int[] sides = Arrays.stream(given.split(",")).mapToInt(s -> Integer.parseInt(s.trim())).toArray();
			for (int side : sides) if (side < 8 || side > 65536) throw new NumberFormatException();
			return sides;
		}
		catch (NumberFormatException e) {
			throw new Options.UsageException("--" + name + " takes sides in pixels from 8 to 65536, comma-separated (as "
				+ defaults + "): got '" + given + "'");
		}
	}

	int run(PrintStream out) {
		if (options.flag("fill")) {
			FillBenchmark.run(out, sides("sizes", "64,128,256,300,512,1024"));
			return 0;
		}
		if (options.flag("scaling")) return options.flag("memory") ? scaling(out) : stepScaling(out);
		RunSettings run = new RunSettings(options, 20);
		startTimes(run, out);
		int repeats = options.integer("repeats", 10, 1, 1000);
		double warmup = options.number("warmup", 10);
		double guidance = options.number(OptionTable.GUIDANCE);
		try (ModelBundle bundle = run.openBundle()) {
			Manifest m = bundle.manifest();
			out.println("model " + m.name + " on " + bundle.device() + ", " + run.sampling + ", times: best of " + repeats
				+ " runs after a warm-up of " + warmup + " s (at most " + WARMUP_STEPS + " steps); overhead: (run − its "
				+ "forwards) / its forwards, median of the runs; first run: the overhead of this denoiser's first run, before "
				+ "the warm-up (the first denoiser's also pays for the JVM's)");
			out.println(String.format(Locale.ROOT, "%-14s %-12s %10s %13s %10s %12s %12s %13s", "denoiser", "latent",
				"ms/step", "forward ms", "overhead", "overhead ms", "first run ms", "bare fwd ms"));
			for (String task : m.denoisers.keySet()) {
				if (options.get("task", null) != null && !options.get("task", null).equals(task)) continue;
				Manifest.DenoiserSpec spec = m.denoiser(task);
				int side = options.integer("size", spec.nativeSize, 8, 1 << 16) / m.autoencoder.factor;
				side = Math.max(spec.latentMultiple, side / spec.latentMultiple * spec.latentMultiple);
				double[] t = time(bundle, spec, side, run.sampling, guidance, repeats, warmup);
				out.println(String.format(Locale.ROOT, "%-14s %-12s %10.2f %13.2f %9.1f%% %12.3f %12.3f %13.2f", task,
					side + "x" + side, t[0], t[1], 100 * t[3], t[4], t[5], t[2]));
			}
		}
		return 0;
	}

	/**
	 * [pipeline ms/step, its forwards' ms/step, bare forward ms/step, overhead, overhead ms/step, first run's overhead
	 * ms/step]: the first two from the repeat with the least pipeline time (its forward time belongs to the same run),
	 * the best bare repeat, and the medians over the repeats of each run's overhead above its own forwards, relative and
	 * in ms per step (robust to a run that another process slowed down). The relative figure follows the forward's
	 * speed, which on a shared machine drifts by half from one minute to the next; the absolute one is the pipeline's
	 * own cost. The repeats follow a warm-up of {@code warmupSeconds} (at most {@link #WARMUP_STEPS} steps): the JVM
	 * compiles the loop's Java code (ours and DJL's) with its optimising compiler only after some thousand steps, and
	 * until then a step's overhead is two to four times the steady one, which is what a long run (a large image, many
	 * samples) pays. The denoiser's first run, before the warm-up, is reported on its own (for the first denoiser
	 * benchmarked that is the JVM's first run, in the interpreter and the first-tier compiler).
	 */
	private static double[] time(ModelBundle bundle, Manifest.DenoiserSpec spec, int side, SamplingSettings settings,
		double guidance, int repeats, double warmupSeconds)
	{
		Manifest m = bundle.manifest();
		TorchScriptPart part = bundle.denoiser(spec.task);
		try (NDManager manager = NDManager.newBaseManager(bundle.device())) {
			GaussianNoise noise = new GaussianNoise(settings.seed);
			Conditioning cond = new Conditioning();
			for (InputSpec in : spec.inputs)
				if (!in.name.equals(InputSpec.NOISY_LATENT)) cond.input(in.name, noise.initialNoise(manager, new Shape(1,
					in.channels, side, side)));
			boolean guided = false;
			if (spec.context != null) {
				NDArray ctx = bundle.context(spec.task, new int[] {0}, manager);
				NDArray nullCtx = spec.context.nullLabel == null ? null
					: bundle.context(spec.task, new int[] {spec.context.index(spec.context.nullLabel)}, manager);
				cond.context(ctx, nullCtx, guidance);
				guided = cond.guided();
			}
			ModelDenoiser denoiser = new ModelDenoiser(part, spec, m.schedule, cond);
			Shape latent = new Shape(1, m.autoencoder.latentChannels, side, side);
			int batch = guided ? 2 : 1;
			NDList bare = new NDList(noise.initialNoise(manager, new Shape(batch, spec.inputChannels(), side, side)),
				manager.create(new long[batch]));
			if (spec.context != null) bare.add(manager.zeros(new Shape(batch, spec.context.tokens, spec.context.dim),
				DataType.FLOAT32));
			// one timed sampling run and as many bare forwards: [pipeline, its forwards, bare forwards] in ms per step
			Supplier<double[]> once = () -> {
				long f0 = part.forwardNanos();
				long t0 = System.nanoTime();
				try (NDArray x = noise.initialNoise(manager, latent);
					NDArray z = settings.newSampler(noise).sample(denoiser, x, m.schedule, Interruption.STEPS))
				{
					z.toFloatArray(); // waits for the device
				}
				long t1 = System.nanoTime();
				long f1 = part.forwardNanos();
				for (int s = 0; s < settings.steps; s++) {
					Interruption.check();
					try (NDList o = part.forward(bare)) {
						if (s == settings.steps - 1) o.head().toFloatArray();
					}
				}
				long t2 = System.nanoTime();
				return new double[] {(t1 - t0) / 1e6 / settings.steps, (f1 - f0) / 1e6 / settings.steps,
					(t2 - t1) / 1e6 / settings.steps};
			};

			double[] first = once.get();
			long end = System.nanoTime() + (long) (warmupSeconds * 1e9);
			for (int done = settings.steps; done < WARMUP_STEPS && System.nanoTime() < end; done += settings.steps)
				once.get();
			double[] pipeline = new double[repeats], inside = new double[repeats], forwards = new double[repeats];
			double[] relative = new double[repeats], absolute = new double[repeats];
			for (int r = 0; r < repeats; r++) {
				double[] t = once.get();
				pipeline[r] = t[0];
				inside[r] = t[1];
				forwards[r] = t[2];
				absolute[r] = pipeline[r] - inside[r];
				relative[r] = absolute[r] / inside[r];
			}
			int best = 0;
			for (int r = 1; r < repeats; r++) if (pipeline[r] < pipeline[best]) best = r;
			return new double[] {pipeline[best], inside[best], min(forwards), median(relative), median(absolute),
				first[0] - first[1]};
		}
	}

	/**
	 * The cold and the warm start: two runs of large-image sampling at 256², 2 DDIM steps, each as a command starts
	 * (the model opened through the JVM's {@link org.ldmfiji.model.BundleCache}); the time from the command's start
	 * to the start of its first denoising step, taken as the end of step 1 less the duration of step 2. The first run
	 * verifies and loads the bundle (and pays for the JVM's first run); the second finds it loaded (issue #19's goal:
	 * within 0.2 s).
	 */
	private static void startTimes(RunSettings run, PrintStream out) {
		SamplingSettings two = new SamplingSettings(SamplingSettings.SamplerKind.DDIM, 2, run.sampling.seed, 0);
		double[] starts = new double[2];
		for (int r = 0; r < 2; r++) {
			long t0 = System.nanoTime();
			long[] done = new long[2];
			try (ModelBundle bundle = run.openBundle()) {
				Manifest m = bundle.manifest();
				String task = LargeImageSampling.TASK;
				if (!m.denoisers.containsKey(task)) {
					out.println("start to the first denoising step: not measured (model " + m.name + " has no '" + task
						+ "' denoiser)");
					return;
				}
				new LargeImageSampling(bundle, two, TileSettings.defaults(m, task)).run(256, 256, null, 1, (step, total) -> {
					done[step - 1] = System.nanoTime();
					Interruption.STEPS.stepDone(step, total);
				});
			}
			starts[r] = (done[0] - (done[1] - done[0]) - t0) / 1e9;
		}
		out.println(String.format(Locale.ROOT, "start to the first denoising step (256x256, model opened as a command "
			+ "does): cold %.3f s (verify, load, the JVM's first run), warm %.3f s (second run in this JVM)", starts[0],
			starts[1]));
	}

	/**
	 * {@code --scaling}: one measured denoising step of large-image sampling per size (the tiled denoiser called on a
	 * latent of the size, best of up to 3 calls within 30 s), with the default tile settings (the fixed fitted grid;
	 * with {@code --shifting} also the shifting grid without overlap, {@link TileSettings#shifting}; with {@code
	 * --torus} the torus grid, {@link TileSettings#torus}, at its stride and at 128² strides; with {@code --previous}
	 * the tiles before issue #19, {@link TileSettings#nativeTiles}, at the sizes of {@code --previous-sizes}, default
	 * 512 and 2048: at 4096² their step takes long; all in the same run, and a summary of each against the goals of
	 * issue #19). Columns: the tile grid, the
	 * redundancy (latent pixels the denoiser processes per step over the image's latent pixels), the autoencoder grid's
	 * redundancy, the step time, the time per output megapixel of one step, and the efficiency: the best time per latent
	 * pixel of one forward (both guidance branches as in the run)
	 * × the image's latent pixels, over the measured step time (probed: single tiles of several sides and batches of 8
	 * small ones, whichever is cheapest per pixel), and the share of the step spent inside the TorchScript forwards
	 * (the rest: cutting, batching, fusing and shifting the tiles on the Java side and in libtorch).
	 */
	private int stepScaling(PrintStream out) {
		RunSettings run = new RunSettings(options, 1);
		double guidance = options.number(OptionTable.GUIDANCE);
		int[] sizes = sides("sizes", "512,2048,4096");
		try (ModelBundle bundle = run.openBundle(); NDManager manager = NDManager.newBaseManager(bundle.device())) {
			Manifest m = bundle.manifest();
			String task = LargeImageSampling.TASK;
			int f = m.autoencoder.factor, unit = f * m.denoiser(task).latentMultiple;
			String label = m.denoiser(task).context == null ? null : m.denoiser(task).context.labels.get(0);
			Conditioning cond = LargeImageSampling.labelConditioning(bundle, label, guidance, manager);
			TileSettings defaults = TileSettings.defaults(m, task);
			if (options.get("tile", null) != null) {
				int tile = options.integer("tile", defaults.tile, 1, 1 << 16);
				defaults = defaults.withTile(tile, options.integer("overlap", TileSettings.defaultOverlap(tile, f), 0, 1 << 16));
			}
			defaults = defaults.withBatch(options.integer("batch", 0, 0, 1024));
			List<Integer> previousSizes = new ArrayList<>();
			for (int side : sides("previous-sizes", "512,2048")) previousSizes.add(side);
			TileSettings shifting = TileSettings.shifting(m, task).withBatch(defaults.batch);
			TileSettings before19 = TileSettings.nativeTiles(m, task).withBatch(defaults.batch);
			List<TileSettings> variants = new ArrayList<>(List.of(defaults));
			List<String> names = new ArrayList<>(List.of("default"));
			if (options.get("max-tile", null) != null) {
				int maxTile = options.integer("max-tile", defaults.tile, 1, 1 << 16);
				variants.add(defaults.withFittedTile(maxTile, defaults.overlap));
				names.add("tile<=" + maxTile);
			}
			if (options.flag("shifting")) {
				variants.add(shifting);
				names.add("shifting");
			}
			if (options.flag("torus")) {
				variants.add(TileSettings.torus(m, task).withBatch(defaults.batch));
				names.add("torus");
				variants.add(TileSettings.torus(m, task, 128, TileSettings.TORUS_LATENT_OVERLAP).withBatch(defaults.batch));
				names.add("torus128");
			}
			if (options.flag("previous")) {
				variants.add(before19);
				names.add("previous");
			}
			out.println("model " + m.name + " on " + bundle.device() + ", guidance " + guidance + ", "
				+ Runtime.getRuntime().availableProcessors() + " CPU(s); one measured denoising step per size");

			// the best time per latent pixel of one forward (both guidance branches, as in the run)
			int nativeSide = Window.roundUp(m.denoiser(task).nativeSize, unit) / f;
			double best = Double.POSITIVE_INFINITY;
			StringBuilder probes = new StringBuilder();
			String bestSize = "";
			TiledDenoiser bestProbe = null;
			Shape bestShape = null;
			double bestPixels = 0;
			// single tiles of several sides, and batches of 8 small tiles (a small forward's fixed cost shared by 8)
			for (int[] probe : new int[][] {{nativeSide, 1}, {32, 1}, {64, 1}, {128, 1}, {nativeSide, 8}, {32, 8}}) {
				int side = probe[0], b = probe[1];
				String name = side + "²" + (b > 1 ? "x" + b : "");
				if (side % m.denoiser(task).latentMultiple != 0 || probes.indexOf(" " + name + ":") >= 0) continue;
				Shape shape = new Shape(1, m.autoencoder.latentChannels, side, side * b);
				TiledDenoiser d = new TiledDenoiser(TileGrid.of(side * b, side, side, 0, 1, defaults.blend), b, cond,
					c -> new ModelDenoiser(bundle.denoiser(task), m.denoiser(task), m.schedule, c));
				bestCall(d, shape, manager, 1, 0); // TorchScript profiles a new input shape in its first calls
				double t = bestCall(d, shape, manager, 3, 20) / ((double) side * side * b);
				probes.append(String.format(Locale.ROOT, " %s: %.2f µs/px", name, t * 1e6));
				if (t < best) {
					best = t;
					bestSize = name;
					bestProbe = d;
					bestShape = shape;
					bestPixels = (double) side * side * b;
				}
			}
			out.println("one forward per latent pixel:" + probes + " (best: " + bestSize + ")");
			for (int v = 0; v < variants.size(); v++) out.println(names.get(v) + ": " + variants.get(v));
			out.println(String.format(Locale.ROOT, "%-9s %-10s %-24s %10s %9s %7s %9s %9s %10s %6s %8s", "settings", "size",
				"tiles", "redundancy", "AE redund", "batch", "step s", "s/MP", "efficiency", "fwd %", "faults"));
			int repeats = options.integer("repeats", 3, 1, 100);
			// per variant: [redundancy, s/MP, step s] of each size, for the summary against the goals
			List<List<double[]>> results = new ArrayList<>();
			for (int v = 0; v < variants.size(); v++) results.add(new ArrayList<>());
			for (int side : sizes) {
				int latent = Window.roundUp(side, unit) / f;
				Shape shape = new Shape(1, m.autoencoder.latentChannels, latent, latent);
				List<TileSettings> here = new ArrayList<>();
				List<TiledDenoiser> denoisers = new ArrayList<>();
				for (TileSettings tiles : variants) {
					if (tiles == before19 && !previousSizes.contains(side)) continue;
					TiledSampler engine = new TiledSampler(bundle, task, tiles).resolved(cond, shape, side, side, manager);
					TiledDenoiser d = engine.denoiser(cond, shape);
					// TorchScript profiles each new input shape in its first calls: one batch of the step's tiles first
					TileGrid.Tile t = d.grid().tiles().get(0);
					int b = Math.min(d.batch(), d.grid().count());
					Shape warm = new Shape(1, m.autoencoder.latentChannels, t.height, t.width * b);
					bestCall(new TiledDenoiser(TileGrid.of(t.width * b, t.height, t.width, 0, 1, tiles.blend), b, cond,
						c -> new ModelDenoiser(bundle.denoiser(task), m.denoiser(task), m.schedule, c)), warm, manager, 2, 0);
					here.add(tiles);
					denoisers.add(d);
				}
				// rounds of one call per variant (and one best-size probe), interleaved so that the load of the
				// moment weighs on all alike; the best of each over the rounds (at least one round, more within 60 s)
				double[][] calls = new double[here.size()][];
				long end = System.nanoTime() + (long) 60e9;
				for (int r = 0; r < repeats && (r == 0 || System.nanoTime() < end); r++) {
					best = Math.min(best, bestCall(bestProbe, bestShape, manager, 1, 0) / bestPixels);
					for (int v = 0; v < here.size(); v++) {
						double[] call = bestCall(denoisers.get(v), shape, manager, 1, 0, bundle.denoiser(task), 500 + r);
						if (calls[v] == null || call[0] < calls[v][0]) calls[v] = call;
					}
				}
				for (int v = 0; v < here.size(); v++) {
					TileSettings tiles = here.get(v);
					TiledDenoiser d = denoisers.get(v);
					TileGrid grid = d.grid();
					TileGrid ae = TiledAutoencoder.of(bundle, tiles).grid(latent, latent);
					double step = calls[v][0];
					double mp = (double) side * side / 1e6;
					int which = variants.indexOf(tiles);
					results.get(which).add(new double[] {side, grid.redundancy(), step / mp, step});
					out.println(String.format(Locale.ROOT, "%-9s %-10s %-24s %10.3f %9.3f %7d %9.2f %9.2f %10.2f %5.1f%% %8s",
						names.get(which), side + "x" + side, grid.count()
							+ " of " + grid.x.tile + "x" + grid.y.tile + (d.shiftUnit() > 0 && grid.count() > 1 ? grid.wraps() ? " torus" : " shifting" : ""),
						grid.redundancy(), ae.redundancy(), d.batch(), step, step / mp, best * latent * latent / step,
						100 * calls[v][1] / step, calls[v][2] < 0 ? "-" : String.format(Locale.ROOT, "%.0fk", calls[v][2] / 1e3)));
				}
			}
			out.println(String.format(Locale.ROOT, "best forward per latent pixel over the whole run (for the efficiency): "
				+ "%.2f µs/px (%s)", best * 1e6, bestSize));
			// the goals of issue #19, per variant, with the efficiency against the run's best forward
			for (int v = 0; v < variants.size(); v++) {
				List<double[]> r = results.get(v);
				if (r.isEmpty()) continue;
				double maxRedundancy = 0, minEfficiency = Double.POSITIVE_INFINITY;
				StringBuilder eff = new StringBuilder();
				for (double[] e : r) {
					int latent = Window.roundUp((int) e[0], unit) / f;
					double efficiency = best * latent * latent / e[3];
					maxRedundancy = Math.max(maxRedundancy, e[1]);
					minEfficiency = Math.min(minEfficiency, efficiency);
					eff.append(String.format(Locale.ROOT, "%s%.2f", eff.length() == 0 ? "" : " / ", efficiency));
				}
				double[] first = r.get(0), last = r.get(r.size() - 1);
				double againstDefault = Double.NaN;
				for (double[] d : results.get(0)) if (d[0] == last[0]) againstDefault = last[3] / d[3];
				out.println(String.format(Locale.ROOT, "%s: redundancy <= %.3f (goal <= 1.3), efficiency %s against the "
					+ "run's best forward (goal >= 0.7), s/MP at %dx%d over %dx%d: %.2fx (goal <= 1.2x); step at %dx%d: %.2fx "
					+ "the default's", names.get(v), maxRedundancy, eff, (int) last[0], (int) last[0], (int) first[0],
					(int) first[0], last[2] / first[2], (int) last[0], (int) last[0], againstDefault));
			}
			out.println("timings on a shared machine vary from minute to minute: compare ratios within one run");
		}
		return 0;
	}

	/** The least time in seconds of up to {@code repeats} calls of {@code d} on noise of {@code shape}, within a budget. */
	private static double bestCall(TiledDenoiser d, Shape shape, NDManager manager, int repeats, double budgetSeconds) {
		return bestCall(d, shape, manager, repeats, budgetSeconds, null, 500)[0];
	}

	/**
	 * [the least time in seconds of up to {@code repeats} calls within a budget, the time {@code part}'s forwards took
	 * in that call (NaN without a part), the process's minor page faults during that call (-1 where unknown): pages
	 * the kernel had to map and zero, e.g. buffers that the allocator returned and took again, see NativeAllocator]. The calls use timesteps firstT, firstT + 1, … (a shifting grid moves between them).
	 */
	private static double[] bestCall(TiledDenoiser d, Shape shape, NDManager manager, int repeats, double budgetSeconds,
		TorchScriptPart part, int firstT)
	{
		double best = Double.POSITIVE_INFINITY, inside = Double.NaN, faults = -1;
		long end = System.nanoTime() + (long) (budgetSeconds * 1e9);
		try (NDManager scope = manager.newSubManager()) {
			NDArray x = new GaussianNoise(1).initialNoise(scope, shape);
			for (int r = 0; r < repeats && (r == 0 || System.nanoTime() < end); r++) {
				Interruption.check();
				long f0 = part == null ? 0 : part.forwardNanos();
				long m0 = NativeMemory.minorFaults();
				long t0 = System.nanoTime();
				try (NDArray e = d.eps(x, firstT + r)) {
					e.toFloatArray();
				}
				double took = (System.nanoTime() - t0) / 1e9;
				long m1 = NativeMemory.minorFaults();
				if (took < best) {
					best = took;
					inside = part == null ? Double.NaN : (part.forwardNanos() - f0) / 1e9;
					faults = m0 < 0 || m1 < 0 ? -1 : m1 - m0;
				}
			}
		}
		return new double[] {best, inside, faults};
	}

	/** At most this many sampling steps warm the JVM up before the timed repeats. */
	static final int WARMUP_STEPS = 2000;

	/**
	 * {@code --scaling --memory}: large-image sampling end to end (tiled sampling and tiled decoding) at several square sizes,
	 * smallest first, after a warm-up run of one autoencoder tile. Peak memory is the process's peak resident set
	 * (VmHWM: JVM heap pages in use plus native memory, i.e. libtorch's tensors and the models), reset before each size;
	 * "growth" is that peak minus the resident set before the first size (which includes the working set of one tile,
	 * the same at every size), and "buffers" is what the design says should grow: the output (float32 on the heap) and
	 * the latent-sized arrays ({@link MemoryEstimate#LATENT_BUFFERS} of them). The goal: growth from the first size
	 * to a larger one within the buffers' growth.
	 */
	private int scaling(PrintStream out) {
		RunSettings run = new RunSettings(options, 4);
		double guidance = options.number(OptionTable.GUIDANCE);
		int[] sizes = sides("sizes", "512,2048,4096");
		try (ModelBundle bundle = run.openBundle()) {
			Manifest m = bundle.manifest();
			String task = LargeImageSampling.TASK;
			TileSettings defaults = TileSettings.defaults(m, task);
			int tile = options.integer("tile", defaults.tile, 1, 1 << 16);
			TileSettings tiles = (options.get("tile", null) == null ? defaults.withFittedTile(defaults.tile, options.integer(
				"overlap", defaults.overlap, 0, 1 << 16)) : defaults.withTile(tile, options.integer("overlap",
				TileSettings.defaultOverlap(tile, m.autoencoder.factor), 0, 1 << 16)))
				.withBatch(options.integer("batch", 0, 0, 1024));
			String label = m.denoiser(task).context == null ? null : m.denoiser(task).context.labels.get(0);
			LargeImageSampling sampler = new LargeImageSampling(bundle, run.sampling, tiles);
			out.println("model " + m.name + " on " + bundle.device() + ", " + run.sampling + ", guidance " + guidance + ", "
				+ tiles + ", " + Runtime.getRuntime().availableProcessors() + " CPU(s)");
			// warm-up, not counted: at least one full autoencoder tile, so that the per-tile working set (the same at
			// every image size) is in the base and "growth" is what grows with the image
			int warm = Math.max(256, tiles.autoencoderTile);
			sampler.run(warm, warm, label, guidance, Interruption.STEPS);
			System.gc();
			long base = NativeMemory.residentBytes();
			out.println(String.format(Locale.ROOT, "%-11s %7s %9s %9s %9s %9s %11s %11s %9s %10s %10s", "size", "tiles",
				"total s", "sample s", "s/MP", "peak MiB", "growth MiB", "buffers MiB", "heap MiB", "native MiB",
				"latent MiB"));
			double first = Double.NaN;
			for (int side : sizes) {
				int f = m.autoencoder.factor, unit = f * m.denoiser(task).latentMultiple;
				int latent = Window.roundUp(side, unit) / f;
				Shape shape = new Shape(1, m.autoencoder.latentChannels, latent, latent);
				int count = LargeImageSampling.latentGrid(m, task, shape, tiles).count();
				System.gc();
				NativeMemory.resetPeak();
				long[] sampled = {0};
				long t0 = System.nanoTime();
				FloatPlanes image;
				MemorySplit split;
				try (MemorySplit s = new MemorySplit()) {
					split = s;
					image = sampler.run(side, side, label, guidance, (done, total) -> {
						if (done == total) sampled[0] = System.nanoTime();
					});
				}
				long t1 = System.nanoTime();
				long peak = NativeMemory.peakResidentBytes();
				double mp = (double) side * side / 1e6;
				double seconds = (t1 - t0) / 1e9, perMp = seconds / mp;
				if (Double.isNaN(first)) first = perMp;
				long latentBuffers = 4L * MemoryEstimate.LATENT_BUFFERS * m.autoencoder.latentChannels * latent * latent;
				long buffers = 4L * image.data().length + latentBuffers;
				out.println(String.format(Locale.ROOT, "%-11s %7d %9.1f %9.1f %9.2f %9.0f %11.0f %11.0f %9.0f %10.0f %10.0f",
					side + "x" + side, count, seconds, (sampled[0] - t0) / 1e9, perMp, peak / MIB, (peak - base) / MIB,
					buffers / MIB, split.heapPeak() / MIB, split.nativePeak() / MIB, latentBuffers / MIB));
			}
			out.println(String.format(Locale.ROOT, "time per megapixel relative to the first size: see s/MP (goal: "
				+ "largest within 1.2x of %.2f s/MP); peak memory growth vs the buffers column. Split (sampled every %d "
				+ "ms): heap = Java heap in use, the output image plus uncollected garbage; native = resident minus heap "
				+ "in use (libtorch, models, JVM), against the latent buffers in it", first, MemorySplit.PERIOD_MS));
		}
		return 0;
	}

	private static final double MIB = 1 << 20;

	private static double median(double[] v) {
		double[] s = v.clone();
		Arrays.sort(s);
		int n = s.length;
		return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
	}

	private static double min(double[] v) {
		return Arrays.stream(v).min().orElse(Double.NaN);
	}
}
