package org.ldmfiji.ij1;

import ij.plugin.PlugIn;

import org.ldmfiji.model.ModelBundle;
import org.ldmfiji.task.ImageJobs;
import org.ldmfiji.task.SampleImage;
import org.ldmfiji.task.SamplingSettings;

/**
 * ImageJ 1.x entry "LDM Large Image Sampling..." (plugins.config): a new image sampled with the model's
 * label-conditioned denoiser. Macro: {@code run("LDM Large Image Sampling...", "width=1024 height=1024
 * label=fluorescence guidance=3 steps=20 seed=1 type=16-bit")}.
 */
public class LargeImageSamplingPlugin implements PlugIn {

	static final String TITLE = "LDM Large Image Sampling";

	@Override
	public void run(String arg) {
		Ij1Plugins.guarded(TITLE, this::sample);
	}

	private void sample() {
		PluginDialog d = new PluginDialog(TITLE)
			.number("width", "Width (px)", 512)
			.number("height", "Height (px)", 512)
			.string("label", "Label (domain)", "fluorescence")
			.number("guidance", "Guidance scale", 3)
			.string("model", "Model (name or folder)", "demo")
			.choice("sampler", "Sampler", Ij1Plugins.SAMPLERS, "dpmpp2m")
			.number("steps", "Steps", 20)
			.number("seed", "Seed", 0)
			.number("tile", "Tile (px, 0 = auto)", 0)
			.number("overlap", "Overlap (px, 0 = auto)", 0)
			.choice("type", "Type", new String[] {"8-bit", "16-bit", "32-bit"}, "8-bit");
		if (!d.show()) return;
		SampleImage.Options o = new SampleImage.Options();
		o.sampling = new SamplingSettings(SamplingSettings.SamplerKind.parse(d.string("sampler")), d.integer("steps"),
			d.longValue("seed"), 0);
		o.width = d.integer("width");
		o.height = d.integer("height");
		o.label = d.string("label").isBlank() ? null : d.string("label").trim();
		o.guidance = d.number("guidance");
		o.tile = d.integer("tile");
		o.overlap = d.integer("overlap");
		o.bitDepth = Integer.parseInt(d.string("type").replace("-bit", ""));
		Ij1Progress progress = new Ij1Progress(TITLE);
		try (ModelBundle bundle = ImageJobs.openModel(d.string("model"), Ij1Plugins.appFolders())) {
			Ij1Plugins.show(SampleImage.run(bundle, o, progress));
		}
		progress.done(TITLE + ": done");
	}
}
