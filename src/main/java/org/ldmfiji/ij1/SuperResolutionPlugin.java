package org.ldmfiji.ij1;

import ij.ImagePlus;
import ij.plugin.PlugIn;

import org.ldmfiji.model.ModelBundle;
import org.ldmfiji.model.Bundles;
import org.ldmfiji.task.OptionTable;
import org.ldmfiji.imagej.SuperResolveImage;

/**
 * ImageJ 1.x entry "LDM Super-Resolution..." (plugins.config): the active image x4. Macro:
 * {@code run("LDM Super-Resolution...", "steps=10 seed=1 consistency")}; keys as in the SciJava command
 * (steps, seed, sampler, samples, tile, model, consistency, current). As everywhere in ImageJ macros, a checkbox
 * is on when its key is present and off when it is absent: keep {@code consistency} in the line to keep it on.
 */
public class SuperResolutionPlugin implements PlugIn {

	static final String TITLE = "LDM Super-Resolution";

	@Override
	public void run(String arg) {
		Ij1Plugins.guarded(TITLE, this::superResolve);
	}

	static PluginDialog dialog() {
		return new PluginDialog(TITLE).options(OptionTable.SUPER_RESOLUTION);
	}

	private void superResolve() {
		ImagePlus imp = Ij1Plugins.activeImage(TITLE);
		PluginDialog d = dialog();
		if (!d.show()) return;
		SuperResolveImage.Options o = new SuperResolveImage.Options();
		o.sampling = Ij1Plugins.sampling(d);
		o.samples = d.integer(OptionTable.SR_SAMPLES);
		o.tile = d.integer(OptionTable.TILE);
		o.consistency = d.flag(OptionTable.CONSISTENCY);
		o.allPlanes = !d.flag(OptionTable.CURRENT);
		Ij1Progress progress = new Ij1Progress(TITLE);
		SuperResolveImage.Result r;
		try (ModelBundle bundle = Bundles.open(d.string(OptionTable.MODEL), Ij1Plugins.appFolders())) {
			r = SuperResolveImage.run(bundle, imp, o, progress);
		}
		Ij1Plugins.show(r.std); // first: the result, shown last, is the active image a macro goes on with
		Ij1Plugins.show(r.image);
		progress.done(TITLE + ": done");
	}
}
