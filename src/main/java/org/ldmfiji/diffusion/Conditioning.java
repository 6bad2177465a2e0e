package org.ldmfiji.diffusion;

import ai.djl.ndarray.NDArray;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a denoiser is conditioned on: the non-latent inputs concatenated with z_t (by their manifest names,
 * e.g. {@code masked_image_latent}, {@code mask}, {@code low_res_image}; each [N or 1 x C x h x w]) and an
 * optional cross-attention context with its null context for classifier-free guidance.
 * Holds references only; the caller owns the arrays.
 */
public final class Conditioning {

	public static final Conditioning NONE = new Conditioning();

	private final Map<String, NDArray> inputs = new LinkedHashMap<>();
	private NDArray context, nullContext;
	private double guidance = 1;

	/** Adds a concatenated input by its manifest name. */
	public Conditioning input(String name, NDArray value) {
		inputs.put(name, value);
		return this;
	}

	/**
	 * Sets the context τ(y) [N or 1 x tokens x dim]; with a null context and guidance scale w ≠ 1 the
	 * denoiser applies classifier-free guidance, ε̂ = ε(∅) + w·(ε(y) − ε(∅)) (Ho &amp; Salimans 2022, eq. 6).
	 */
	public Conditioning context(NDArray context, NDArray nullContext, double guidance) {
		this.context = context;
		this.nullContext = nullContext;
		this.guidance = guidance;
		return this;
	}

	public Map<String, NDArray> inputs() {
		return Collections.unmodifiableMap(inputs);
	}

	public NDArray context() {
		return context;
	}

	public NDArray nullContext() {
		return nullContext;
	}

	public double guidance() {
		return guidance;
	}

	/** Whether a forward pass needs both the conditional and the unconditional branch. */
	public boolean guided() {
		return context != null && nullContext != null && guidance != 1;
	}
}
