package org.ldmfiji.task;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import org.ldmfiji.diffusion.Conditioning;
import org.ldmfiji.model.Manifest;
import org.ldmfiji.model.ModelBundle;

/**
 * The text context of a task's denoiser: τθ(prompt) as the context and τθ(negative prompt), or τθ(null_prompt) when
 * none is given, as the unconditional context of classifier-free guidance (Ho &amp; Salimans 2022, eq. 6; Rombach et
 * al. 2022, sec. 3.3). A prompt given to a model that takes no text is an error naming the fix; empty prompts are
 * simply unused there.
 */
final class TextConditioning {

	private TextConditioning() {}

	/**
	 * Adds the text context of {@code settings}' prompts to {@code cond} when {@code task}'s denoiser takes text.
	 *
	 * @param guidance the classifier-free guidance scale w (1: the conditional branch only)
	 * @return {@code cond}
	 */
	static Conditioning add(Conditioning cond, ModelBundle bundle, String task, SamplingSettings settings,
		double guidance, NDManager manager)
	{
		Manifest m = bundle.manifest();
		Manifest.ContextSpec context = m.denoiser(task).context;
		if (context == null || !context.takesText()) {
			check(m, task, "prompt", settings.prompt);
			check(m, task, "negative", settings.negativePrompt);
			return cond;
		}
		String negative = settings.negativePrompt.isEmpty() ? context.nullPrompt : settings.negativePrompt;
		NDArray ctx = bundle.context(task, new String[] {settings.prompt}, manager);
		NDArray nullCtx = guidance == 1 ? null : bundle.context(task, new String[] {negative}, manager);
		return cond.context(ctx, nullCtx, guidance);
	}

	/** Whether the task's denoiser of this model takes a text prompt. */
	static boolean takesText(Manifest m, String task) {
		Manifest.ContextSpec context = m.denoiser(task).context;
		return context != null && context.takesText();
	}

	private static void check(Manifest m, String task, String key, String value) {
		if (!value.isBlank()) throw new IllegalArgumentException("model '" + m.name + "' takes no text prompt for "
			+ task + ": leave '" + key + "' empty or choose a model converted from a text-conditioned checkpoint");
	}
}
