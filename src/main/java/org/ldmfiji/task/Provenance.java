package org.ldmfiji.task;

import org.ldmfiji.model.Manifest;
import org.ldmfiji.model.ModelBundle;
import org.ldmfiji.model.Sha256;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The provenance lines every result carries in its Info (Image > Show Info): tool, task, source, model (name,
 * folder, SHA-256s), device, sampler, date. The entry points add their task's own lines after these.
 */
public final class Provenance {

	private Provenance() {}

	/**
	 * @param source what was processed, e.g. {@code "cells.tif (256x256, 1 plane(s), 16-bit)"}; null for a result
	 *               made from noise
	 */
	public static StringBuilder of(String task, String source, ModelBundle bundle, String denoiserTask,
		SamplingSettings settings)
	{
		Manifest m = bundle.manifest();
		StringBuilder s = new StringBuilder();
		s.append("Latent Diffusion for Fiji: ").append(task).append('\n');
		if (source != null) s.append("source: ").append(source).append('\n');
		s.append("model: ").append(m.name).append(" (").append(m.folder).append(")\n");
		s.append("model SHA-256 (model.json): ").append(sha256(m.folder.resolve(Manifest.FILE_NAME))).append('\n');
		Manifest.DenoiserSpec spec = m.denoiser(denoiserTask);
		s.append("denoiser ").append(spec.file.file).append(" SHA-256: ").append(spec.file.sha256).append('\n');
		s.append("device: ").append(bundle.device()).append('\n');
		s.append("sampler: ").append(settings.sampler.id).append(", steps: ").append(settings.steps).append(", seed: ")
			.append(settings.seed);
		if (settings.sampler == SamplingSettings.SamplerKind.DDIM) s.append(", eta: ").append(settings.eta);
		s.append('\n');
		if (TextConditioning.takesText(m, denoiserTask)) s.append("prompt: ").append(SamplingSettings.quoted(
			settings.prompt)).append(", negative prompt: ").append(SamplingSettings.quoted(settings.negativePrompt))
			.append(settings.negativePrompt.isEmpty() ? " (the model's null prompt)" : "").append(", guidance: ")
			.append(settings.guidance).append('\n');
		s.append("date: ").append(Instant.now().truncatedTo(ChronoUnit.SECONDS)).append('\n');
		return s;
	}

	private static String sha256(Path file) {
		try {
			return Sha256.of(file);
		}
		catch (IOException e) {
			return "unreadable (" + e.getMessage() + ")";
		}
	}
}
