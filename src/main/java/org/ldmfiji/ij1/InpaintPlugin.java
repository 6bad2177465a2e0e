package org.ldmfiji.ij1;

import ij.ImagePlus;
import ij.WindowManager;
import ij.plugin.PlugIn;

import org.ldmfiji.model.ModelBundle;
import org.ldmfiji.task.ImageJobs;
import org.ldmfiji.task.InpaintImage;
import org.ldmfiji.task.Inpainting;
import org.ldmfiji.task.SamplingSettings;
import org.ldmfiji.task.Seam;

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

	private void inpaint() {
		ImagePlus imp = Ij1Plugins.activeImage(TITLE);
		PluginDialog d = new PluginDialog(TITLE)
			.note("Fills the selection (or a mask image's non-zero pixels); pixels outside stay exactly as they are.")
			.string("model", "Model (name or folder)", "demo")
			.string("mask", "Mask image title (empty: the selection)", "")
			.choice("sampler", "Sampler", Ij1Plugins.SAMPLERS, "dpmpp2m")
			.number("steps", "Steps", 20)
			.number("seed", "Seed", 0)
			.number("samples", "Samples", 1)
			.number("grow", "Grow (px)", 4)
			.number("feather", "Feather (px, in the grow margin)", 4)
			.number("context", "Context (px around the mask)", 32)
			.number("strength", "Strength (1: from noise; less: closer to a smooth fill)", Inpainting.DEFAULT_STRENGTH)
			.choice("seam", "Seam (blend, harmonize, correct or hard)", Seam.labels(), Seam.BLEND.label())
			.checkbox("stack", "Stack: fill all planes", false)
			.checkbox("inplace", "Inplace: modify this image", false);
		if (!d.show()) return;
		String maskTitle = d.string("mask").trim();
		boolean[] mask;
		if (maskTitle.isEmpty()) mask = InpaintImage.maskOf(imp);
		else {
			ImagePlus m = WindowManager.getImage(maskTitle);
			if (m == null) throw new IllegalArgumentException("no open image is titled '" + maskTitle + "'");
			mask = InpaintImage.maskOf(m, imp);
		}
		InpaintImage.Options o = new InpaintImage.Options();
		o.sampling = new SamplingSettings(SamplingSettings.SamplerKind.parse(d.string("sampler")), d.integer("steps"),
			d.longValue("seed"), 0);
		o.samples = d.integer("samples");
		o.grow = d.integer("grow");
		o.feather = d.integer("feather");
		o.context = d.integer("context");
		o.strength = d.number("strength");
		o.seam(d.string("seam"));
		o.allPlanes = d.flag("stack");
		o.inPlace = d.flag("inplace");
		Ij1Progress progress = new Ij1Progress(TITLE);
		InpaintImage.Result r;
		try (ModelBundle bundle = ImageJobs.openModel(d.string("model"), Ij1Plugins.appFolders())) {
			r = InpaintImage.run(bundle, imp, mask, o, progress);
		}
		if (!o.inPlace) Ij1Plugins.show(r.image);
		Ij1Plugins.show(r.std);
		progress.done(TITLE + ": done");
	}
}
