package org.ldmfiji.task;

import org.ldmfiji.image.SeamBand;

import java.util.Locale;

/**
 * How an inpainting's decoded fill meets the known pixels ({@link Inpainting}); each choice adds to the one below it.
 * The commands take the lower-case names.
 */
public enum Seam {

	/**
	 * The default. {@link #HARMONIZE}, and after each seam correction the fill's low frequencies are blended toward
	 * the harmonic continuation of the surroundings in a band along the border ({@link SeamBand}): the fill keeps its
	 * texture but no longer departs from its surroundings within its first pixels.
	 */
	BLEND("blend: harmonize, then blend the fill's smooth part into the surroundings along the border"),
	/**
	 * Before decoding, the latent cells that hold no masked pixel are taken from the encoded first guess
	 * (the known pixels with the harmonic fill), so the decoder sees the surroundings as the encoder does; after the
	 * seam correction, the composite (known pixels and fill) is encoded and decoded once more and corrected again, so
	 * that the autoencoder renders fill and surroundings as one image.
	 */
	HARMONIZE("harmonize: decode the fill with the surroundings' own latents, then encode and decode the composite "
		+ "once more"),
	/** The decoder's error at the known pixels carried harmonically into the fill (Pérez et al. 2003). */
	CORRECT("correct: carry the decoder's error at the border into the fill"),
	/** CompVis's {@code inpaint.py}: the decoded fill pasted as it is. */
	HARD("hard: paste the decoded fill as it is");

	/** What the choice does, for messages and dialogs. */
	public final String description;

	Seam(String description) {
		this.description = description;
	}

	/** Whether the decoder's error at the known pixels is carried into the fill. */
	public boolean corrects() {
		return this != HARD;
	}

	/** Whether the fill is decoded with the surroundings' own latents and the composite decoded once more. */
	public boolean harmonizes() {
		return this == HARMONIZE || this == BLEND;
	}

	/** The name the commands take. */
	public String label() {
		return name().toLowerCase(Locale.ROOT);
	}

	/** The names, in the order the commands list them (the default first). */
	public static String[] labels() {
		Seam[] all = values();
		String[] out = new String[all.length];
		for (int i = 0; i < all.length; i++) out[i] = all[i].label();
		return out;
	}

	/** Parses a command's choice (case and surrounding spaces ignored). */
	public static Seam parse(String choice) {
		for (Seam s : values()) if (s.label().equals(choice.trim().toLowerCase(Locale.ROOT))) return s;
		StringBuilder known = new StringBuilder();
		for (Seam s : values()) known.append(known.length() == 0 ? "" : "; ").append(s.description);
		throw new IllegalArgumentException("seam '" + choice + "' is not one of: " + known);
	}
}
