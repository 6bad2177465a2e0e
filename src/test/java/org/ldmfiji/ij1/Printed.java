package org.ldmfiji.ij1;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/** What ImageJ prints while a macro runs: without an ImageJ window its Log goes to System.out. */
final class Printed<T> {

	final T result;
	final String out;

	private Printed(T result, String out) {
		this.result = result;
		this.out = out;
	}

	static <T> Printed<T> during(Supplier<T> run) {
		PrintStream previous = System.out;
		ByteArrayOutputStream buffer = new ByteArrayOutputStream();
		System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
		T result;
		try {
			result = run.get();
		}
		finally {
			System.setOut(previous);
		}
		String out = buffer.toString(StandardCharsets.UTF_8);
		previous.print(out);
		return new Printed<>(result, out);
	}

	/** The printed lines that start with {@code prefix}. */
	java.util.List<String> linesStartingWith(String prefix) {
		return out.lines().filter(l -> l.startsWith(prefix)).collect(java.util.stream.Collectors.toList());
	}
}
