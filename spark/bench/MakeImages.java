import ij.ImagePlus;
import ij.io.FileSaver;
import ij.process.ShortProcessor;

import java.util.Random;

/** java -cp spark/target/ldm-spark.jar MakeImages.java DIR COUNT SIDE: COUNT 16-bit SIDE x SIDE test images (structure and noise). */
public class MakeImages {
	public static void main(String[] a) {
		int n = Integer.parseInt(a[1]), s = Integer.parseInt(a[2]);
		for (int k = 0; k < n; k++) {
			Random r = new Random(k);
			ShortProcessor ip = new ShortProcessor(s, s);
			for (int y = 0; y < s; y++)
				for (int x = 0; x < s; x++)
					ip.set(x, y, (int) Math.max(0, 2000 + 900 * Math.sin(x * 0.11 + k) * Math.cos(y * 0.07)
						+ 500 * Math.sin((x + y) * 0.23) + 150 * r.nextGaussian()));
			new FileSaver(new ImagePlus("img" + k, ip)).saveAsTiff(String.format("%s/img%03d.tif", a[0], k));
		}
	}
}
