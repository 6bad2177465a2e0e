package org.ldmfiji.ij1;

import ij.plugin.PlugIn;

import org.ldmfiji.model.ModelBundle;
import org.ldmfiji.model.Bundles;
import org.ldmfiji.imagej.SampleImage;
import org.ldmfiji.task.OptionTable;

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

	static PluginDialog dialog() {
		return new PluginDialog(TITLE).options(OptionTable.SAMPLE);
	}

	private void sample() {
		PluginDialog d = dialog();
		if (!d.show()) return;
		SampleImage.Options o = new SampleImage.Options();
		o.sampling = Ij1Plugins.sampling(d);
		o.width = d.integer(OptionTable.WIDTH);
		o.height = d.integer(OptionTable.HEIGHT);
		o.label = d.string(OptionTable.LABEL);
		o.guidance = d.number(OptionTable.GUIDANCE);
		o.tile = d.integer(OptionTable.TILE);
		o.overlap = d.integer(OptionTable.OVERLAP);
		o.grid = d.string(OptionTable.GRID);
		o.type(d.string(OptionTable.TYPE));
		Ij1Progress progress = new Ij1Progress(TITLE);
		try (ModelBundle bundle = Bundles.open(d.string(OptionTable.MODEL), Ij1Plugins.appFolders())) {
			Ij1Plugins.show(SampleImage.run(bundle, o, progress));
		}
		progress.done(TITLE + ": done");
	}
}
