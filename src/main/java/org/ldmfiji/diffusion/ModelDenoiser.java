package org.ldmfiji.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import org.ldmfiji.model.Manifest.DenoiserSpec;
import org.ldmfiji.model.Manifest.InputSpec;
import org.ldmfiji.model.TorchScriptPart;

/**
 * The ε-model of a bundle with its conditioning bound: concatenates the inputs in the order the manifest
 * declares, passes the timestep and context, applies classifier-free guidance, and converts v-prediction to ε.
 * All intermediates live in a scope that closes with the call; only ε̂ is attached to the manager of x.
 */
public final class ModelDenoiser implements Denoiser {

	private final TorchScriptPart model;
	private final DenoiserSpec spec;
	private final NoiseSchedule schedule;
	private final Conditioning conditioning;

	public ModelDenoiser(TorchScriptPart model, DenoiserSpec spec, NoiseSchedule schedule, Conditioning conditioning) {
		this.model = model;
		this.spec = spec;
		this.schedule = schedule;
		this.conditioning = conditioning;
		for (InputSpec in : spec.inputs) {
			if (in.name.equals(InputSpec.NOISY_LATENT)) continue;
			if (!conditioning.inputs().containsKey(in.name)) throw new IllegalArgumentException("the '" + spec.task
				+ "' denoiser needs the input '" + in.name + "' but it was not given");
		}
		if (spec.context != null && conditioning.context() == null) throw new IllegalArgumentException("the '"
			+ spec.task + "' denoiser needs a context (a label) but none was given");
	}

	public DenoiserSpec spec() {
		return spec;
	}

	@Override
	public NDArray eps(NDArray x, int t) {
		return output(x, t, true).out;
	}

	@Override
	public Prediction predict(NDArray x, int t) {
		return output(x, t, false);
	}

	/** The model's output for x_t, converted to ε here ({@code toEps}) or described by the returned p and q. */
	private Prediction output(NDArray x, int t, boolean toEps) {
		NDManager owner = x.getManager();
		try (NDManager scope = owner.newSubManager()) {
			x.tempAttach(scope);
			conditioning.inputs().values().forEach(a -> a.tempAttach(scope));
			if (conditioning.context() != null) conditioning.context().tempAttach(scope);
			if (conditioning.nullContext() != null) conditioning.nullContext().tempAttach(scope);

			long n = x.getShape().get(0);
			NDArray in = concatenatedInput(x, n);
			NDArray out;
			if (conditioning.guided()) {
				// one batched forward for both branches: [cond; uncond]
				NDArray both = forward(in.concat(in, 0), timesteps(scope, 2 * n, t),
					batch(conditioning.context(), n).concat(batch(conditioning.nullContext(), n), 0));
				NDList halves = both.split(2, 0);
				NDArray cond = halves.get(0), uncond = halves.get(1);
				// CFG: ε̂ = ε(∅) + w·(ε(y) − ε(∅)); linear, so it holds for v as well
				out = uncond.add(WeightedSum.times(conditioning.guidance(), cond.sub(uncond)));
			}
			else {
				out = forward(in, timesteps(scope, n, t), conditioning.context() == null ? null : batch(conditioning.context(), n));
			}
			Prediction prediction = spec.predictsV
				? new Prediction(out, Math.sqrt(1 - schedule.alphaBar(t)), Math.sqrt(schedule.alphaBar(t)))
				: new Prediction(out, 0, 1);
			if (toEps) prediction = new Prediction(prediction.eps(x), 0, 1);
			prediction.out.attach(owner);
			return prediction;
		}
	}

	private NDArray concatenatedInput(NDArray x, long n) {
		NDList parts = new NDList(spec.inputs.size());
		for (InputSpec in : spec.inputs) {
			parts.add(in.name.equals(InputSpec.NOISY_LATENT) ? x : batch(conditioning.inputs().get(in.name), n));
		}
		return parts.size() == 1 ? x : NDArrays.concat(parts, 1);
	}

	/** Repeats a batch-1 array to n along axis 0. */
	private static NDArray batch(NDArray a, long n) {
		long b = a.getShape().get(0);
		if (b == n) return a;
		if (b != 1) throw new IllegalArgumentException("conditioning batch " + b + " does not match latent batch " + n);
		return a.repeat(0, n);
	}

	/** [n] int64 filled with t, made on the device ({@code full}: no copy from the Java heap). */
	private static NDArray timesteps(NDManager scope, long n, int t) {
		return scope.full(new Shape(n), t, DataType.INT64);
	}

	private NDArray forward(NDArray in, NDArray t, NDArray context) {
		NDList args = context == null ? new NDList(in, t) : new NDList(in, t, context);
		return model.forward(args).head();
	}
}
