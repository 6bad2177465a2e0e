package org.ldmfiji.ij1;

import ij.ImagePlus;
import ij.WindowManager;
import ij.plugin.PlugIn;

import org.ldmfiji.model.ModelBundle;
import org.ldmfiji.model.Bundles;
import org.ldmfiji.imagej.InpaintImage;
import org.ldmfiji.imagej.Selections;
import org.ldmfiji.task.OptionTable;

/**
 * ImageJ 1.x entry "LDM Inpaint..." (plugins.config): fills the active image's selection, or the non-zero pixels
 * of a mask image ({@code mask=[title]}). Macro: {@code run("LDM Inpaint...", "steps=20 seed=1 grow=4 feather=4")};
 * keys as in the SciJava command (steps, seed, sampler, samples, grow, feather, context, strength, seam, model, mask,
 * stack, inplace).
 */
public class InpaintPlugin implements PlugIn {

	static final String TITLE = "LDM Inpaint";

	@Override
	public void run(String arg) {
		Ij1Plugins.guarded(TITLE, this::inpaint);
	}

	static PluginDialog dialog() {
		return new PluginDialog(TITLE)
			.note("Fills the selection (or a mask image's non-zero pixels); pixels outside stay exactly as they are.")
			.options(OptionTable.INPAINT);
	}

	private void inpaint() {
		ImagePlus imp = Ij1Plugins.activeImage(TITLE);
		PluginDialog d = dialog();
		if (!d.show()) return;
		String maskTitle = d.string(OptionTable.MASK).trim();
		boolean[] mask;
		if (maskTitle.isEmpty()) mask = Selections.maskOf(imp);
		else {
			ImagePlus m = WindowManager.getImage(maskTitle);
			if (m == null) throw new IllegalArgumentException("no open image is titled '" + maskTitle + "'");
			mask = Selections.maskOf(m, imp);
		}
		InpaintImage.Options o = new InpaintImage.Options();
		o.sampling = Ij1Plugins.sampling(d);
		o.samples = d.integer(OptionTable.SAMPLES);
		o.grow = d.integer(OptionTable.GROW);
		o.feather = d.integer(OptionTable.FEATHER);
		o.context = d.integer(OptionTable.CONTEXT);
		o.strength = d.number(OptionTable.STRENGTH);
		o.seam(d.string(OptionTable.SEAM));
		o.allPlanes = d.flag(OptionTable.STACK);
		o.inPlace = d.flag(OptionTable.INPLACE);
		Ij1Progress progress = new Ij1Progress(TITLE);
		InpaintImage.Result r;
		try (ModelBundle bundle = Bundles.open(d.string(OptionTable.MODEL), Ij1Plugins.appFolders())) {
			r = InpaintImage.run(bundle, imp, mask, o, progress);
		}
		Ij1Plugins.show(r.std); // first: the result, shown last, is the active image a macro goes on with
		if (!o.inPlace) Ij1Plugins.show(r.image);
		progress.done(TITLE + ": done");
	}
}
