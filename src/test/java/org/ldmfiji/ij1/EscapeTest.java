package org.ldmfiji.ij1;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ij.IJ;
import ij.ImagePlus;

import org.junit.jupiter.api.Test;
import org.ldmfiji.task.DemoModel;
import org.ldmfiji.imagej.InpaintImage;
import org.ldmfiji.task.Progress;
import org.ldmfiji.task.TestImages;

import java.awt.event.KeyEvent;
import java.util.concurrent.CancellationException;

/** Esc in ImageJ stops a run between two denoising steps; the source stays as it was and nothing is made. */
class EscapeTest {

	@Test
	void escapeCancelsAnInPlaceInpaintingBeforeItWritesAnything() {
		ImagePlus imp = TestImages.image("src", 8, 80, 72, 1);
		int[][] before = TestImages.bits(imp);
		Ij1Progress ij1 = new Ij1Progress("LDM Inpaint");
		Progress pressEscAtStep2 = new Progress() {
			@Override
			public void status(String message) {
				ij1.status(message);
			}

			@Override
			public void progress(long done, long total) {
				if (done == 2) IJ.setKeyDown(KeyEvent.VK_ESCAPE); // what ImageJ's key listener does on Esc
				ij1.progress(done, total);
			}

			@Override
			public void checkCancelled() {
				ij1.checkCancelled();
			}
		};
		InpaintImage.Options o = new InpaintImage.Options();
		o.sampling = DemoModel.fast(1);
		o.inPlace = true;
		assertThrows(CancellationException.class, () -> InpaintImage.run(DemoModel.get(), imp,
			TestImages.rect(80, 72, 30, 30, 8, 8), o, pressEscAtStep2));
		assertArrayEquals(before, TestImages.bits(imp));
		IJ.resetEscape();
	}
}
