package org.ldmfiji.ij1;

import ij.ImagePlus;
import ij.plugin.PlugIn;

import org.ldmfiji.model.ModelBundle;
import org.ldmfiji.task.ImageJobs;
import org.ldmfiji.task.SamplingSettings;
import org.ldmfiji.task.SuperResolveImage;

/**
 * ImageJ 1.x entry "LDM Super-Resolution..." (plugins.config): the active image x4. Macro:
 * {@code run("LDM Super-Resolution...", "steps=20 seed=1 consistency")}; keys as in the SciJava command
 * (steps, seed, sampler, samples, tile, model, consistency, current). As everywhere in ImageJ macros, a checkbox
 * is on when its key is present and off when it is absent: keep {@code consistency} in the line to keep it on.
 */
public class SuperResolutionPlugin implements PlugIn {

	static final String TITLE = "LDM Super-Resolution";

	@Override
	public void run(String arg) {
		Ij1Plugins.guarded(TITLE, this::superResolve);
	}

	private void superResolve() {
		ImagePlus imp = Ij1Plugins.activeImage(TITLE);
		PluginDialog d = new PluginDialog(TITLE)
			.string("model", "Model (name or folder)", "demo")
			.choice("sampler", "Sampler", Ij1Plugins.SAMPLERS, "dpmpp2m")
			.number("steps", "Steps", 20)
			.number("seed", "Seed", 0)
			.number("samples", "Samples", 1)
			.number("tile", "Tile (px, 0 = auto)", 0)
			.checkbox("consistency", "Consistency with the input (back-projection)", true)
			.checkbox("current", "Current plane only (refuse stacks)", false);
		if (!d.show()) return;
		SuperResolveImage.Options o = new SuperResolveImage.Options();
		o.sampling = new SamplingSettings(SamplingSettings.SamplerKind.parse(d.string("sampler")), d.integer("steps"),
			d.longValue("seed"), 0);
		o.samples = d.integer("samples");
		o.tile = d.integer("tile");
		o.consistency = d.flag("consistency");
		o.allPlanes = !d.flag("current");
		Ij1Progress progress = new Ij1Progress(TITLE);
		SuperResolveImage.Result r;
		try (ModelBundle bundle = ImageJobs.openModel(d.string("model"), Ij1Plugins.appFolders())) {
			r = SuperResolveImage.run(bundle, imp, o, progress);
		}
		Ij1Plugins.show(r.image);
		Ij1Plugins.show(r.std);
		progress.done(TITLE + ": done");
	}
}
