package org.ldmfiji.spark;

import ij.ImagePlus;

import org.ldmfiji.task.LatentDiffusion;

import java.io.Serializable;

/** What one unit of a folder run does with its plane(s) of a source image, on the executor's opened bundle. */
interface PlaneWork extends Serializable {

	/** The task's name in progress lines ("super-resolution"). */
	String name();

	/**
	 * The result of unit {@code u} of {@code source} (a virtual stack: only the planes read are loaded): its plane(s)
	 * in the source's stack order, as one image.
	 */
	ImagePlus compute(LatentDiffusion ld, ImagePlus source, FolderJob.Unit u);

	/** Super-resolution of one stack plane ({@link PlaneSuperResolver}), as {@code ./ldm superres} treats each plane. */
	static PlaneWork superResolution(RunSettings s) {
		return new PlaneWork() {
			private static final long serialVersionUID = 1L;

			@Override
			public String name() {
				return "super-resolution";
			}

			@Override
			public ImagePlus compute(LatentDiffusion ld, ImagePlus source, FolderJob.Unit u) {
				return new ImagePlus(u.name, PlaneSuperResolver.run(ld, source.getStack().getProcessor(u.plane), s.options(s.seed)));
			}
		};
	}

	/** Inpainting of one (slice, frame) position with its mask ({@link PlaneInpainter}), as {@code ./ldm inpaint}. */
	static PlaneWork inpainting(InpaintSettings s) {
		return new PlaneWork() {
			private static final long serialVersionUID = 1L;

			@Override
			public String name() {
				return "inpainting";
			}

			@Override
			public ImagePlus compute(LatentDiffusion ld, ImagePlus source, FolderJob.Unit u) {
				return PlaneInpainter.run(ld, source, u.plane, PlaneInpainter.mask(u.mask, source), s);
			}
		};
	}
}
