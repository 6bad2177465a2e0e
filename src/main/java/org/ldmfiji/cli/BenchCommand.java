package org.ldmfiji.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import org.ldmfiji.diffusion.Conditioning;
import org.ldmfiji.diffusion.GaussianNoise;
import org.ldmfiji.diffusion.ModelDenoiser;
import org.ldmfiji.diffusion.StepListener;
import org.ldmfiji.model.Manifest;
import org.ldmfiji.model.Manifest.InputSpec;
import org.ldmfiji.model.ModelBundle;
import org.ldmfiji.model.TorchScriptPart;
import org.ldmfiji.task.SamplingSettings;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code ./ldm bench}: for each denoiser of the model, the time per sampling step of the whole pipeline, the summed
 * time of the bare TorchScript forwards it needs (same shapes, measured alone), and the pipeline's overhead above
 * them. Best of several repeats (the least disturbed by other load); the first calls on each shape are warm-up and not counted.
 */
final class BenchCommand {

	private final Options options;

	BenchCommand(List<String> args) {
		options = new Options("bench", args, Set.of("model", "steps", "sampler", "seed", "eta", "device", "size", "repeats",
			"guidance", "task"), Set.of());
	}

	int run(PrintStream out) {
		RunSettings run = new RunSettings(options, 20);
		int repeats = options.integer("repeats", 5, 1, 100);
		double guidance = options.number("guidance", 3.0);
		try (ModelBundle bundle = run.openBundle()) {
			Manifest m = bundle.manifest();
			out.println("model " + m.name + " on " + bundle.device() + ", " + run.sampling + ", best of " + repeats);
			out.println(String.format(Locale.ROOT, "%-14s %-12s %12s %14s %10s", "denoiser", "latent", "ms/step",
				"bare ms/step", "overhead"));
			for (String task : m.denoisers.keySet()) {
				if (options.get("task", null) != null && !options.get("task", null).equals(task)) continue;
				Manifest.DenoiserSpec spec = m.denoiser(task);
				int side = options.integer("size", spec.nativeSize, 8, 1 << 16) / m.autoencoder.factor;
				side = Math.max(spec.latentMultiple, side / spec.latentMultiple * spec.latentMultiple);
				double[] t = time(bundle, spec, side, run.sampling, guidance, repeats);
				out.println(String.format(Locale.ROOT, "%-14s %-12s %12.2f %14.2f %9.1f%%", task, side + "x" + side, t[0],
					t[1], 100 * (t[0] - t[1]) / t[1]));
			}
		}
		return 0;
	}

	/** [pipeline ms/step, bare forward ms/step], the best of the repeats. */
	private static double[] time(ModelBundle bundle, Manifest.DenoiserSpec spec, int side, SamplingSettings settings,
		double guidance, int repeats)
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

			double[] pipeline = new double[repeats], forwards = new double[repeats];
			for (int r = -1; r < repeats; r++) { // r = -1: warm-up
				long t0 = System.nanoTime();
				try (NDArray x = noise.initialNoise(manager, latent);
					NDArray z = settings.newSampler(noise).sample(denoiser, x, m.schedule, StepListener.NONE))
				{
					z.toFloatArray(); // waits for the device
				}
				long t1 = System.nanoTime();
				for (int s = 0; s < settings.steps; s++) {
					try (NDList o = part.forward(bare)) {
						if (s == settings.steps - 1) o.head().toFloatArray();
					}
				}
				long t2 = System.nanoTime();
				if (r >= 0) {
					pipeline[r] = (t1 - t0) / 1e6 / settings.steps;
					forwards[r] = (t2 - t1) / 1e6 / settings.steps;
				}
			}
			return new double[] {min(pipeline), min(forwards)};
		}
	}

	private static double min(double[] v) {
		return Arrays.stream(v).min().orElse(Double.NaN);
	}
}
