package org.ldmfiji.updatesite;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** The class names a class file refers to: its CONSTANT_Class entries (JVMS §4.4.1), array types unwrapped. */
final class ClassRefs {

	private ClassRefs() {}

	static List<String> of(byte[] classFile) throws IOException {
		DataInputStream in = new DataInputStream(new ByteArrayInputStream(classFile));
		if (in.readInt() != 0xCAFEBABE) throw new IOException("not a class file");
		in.readUnsignedShort();
		in.readUnsignedShort();
		int count = in.readUnsignedShort();
		String[] utf8 = new String[count];
		List<Integer> classIndices = new ArrayList<>();
		for (int i = 1; i < count; i++) {
			int tag = in.readUnsignedByte();
			switch (tag) {
				case 1: utf8[i] = in.readUTF(); break;
				case 7: classIndices.add(in.readUnsignedShort()); break;
				case 8: case 16: case 19: case 20: in.readUnsignedShort(); break;
				case 3: case 4: case 9: case 10: case 11: case 12: case 17: case 18: in.readInt(); break;
				case 5: case 6: in.readLong(); i++; break; // 8-byte constants take two slots (JVMS §4.4.5)
				case 15: in.readUnsignedByte(); in.readUnsignedShort(); break;
				default: throw new IOException("unknown constant pool tag " + tag);
			}
		}
		List<String> names = new ArrayList<>();
		for (int index : classIndices) {
			String name = utf8[index];
			if (name.startsWith("[")) {
				int l = name.indexOf('L');
				if (l < 0) continue; // array of primitives
				name = name.substring(l + 1, name.length() - 1);
			}
			names.add(name);
		}
		return names;
	}
}
