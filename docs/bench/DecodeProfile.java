// DecodeProfile: per-image cost on one thread of ImageIO.read alone, of ImageDecoder.decode, of
// reading EXIF, and of the Inception-ResNet-v2 center crop of the decoded image (means of 100 calls
// after 60 warm-up rounds; ImageIO's disk cache off, as DecodeCropFunction sets it).
// javac -cp pipeline/target/inception-pipeline.jar -d /tmp/dp docs/bench/DecodeProfile.java
// java -cp pipeline/target/inception-pipeline.jar:/tmp/dp DecodeProfile samples/images/chelsea.png samples/images/camera.png samples/images/horse.png samples/images/coffee.jpg samples/images/rocket.jpg
import io.inceptionpipeline.operators.decode.*;
import io.inceptionpipeline.models.image.*;
import io.inceptionpipeline.models.spec.ModelRegistry;
import java.nio.file.*;
import java.util.*;
import javax.imageio.*;
import javax.imageio.stream.*;
import java.awt.image.*;
import java.io.*;
public class DecodeProfile {
  public static void main(String[] a) throws Exception {
    ImageIO.setUseCache(false);
    ImageDecoder dec = new ImageDecoder();
    Preprocessor pre = ModelRegistry.get("inception_resnet_v2").preprocessor();
    for (String f : a) {
      byte[] b = Files.readAllBytes(Path.of(f));
      RgbImage im = dec.decode(b);
      for (int w = 0; w < 60; w++) { dec.decode(b); pre.crops(im, CropMode.parse("center")); raw(b); }
      int n = 100;
      long t0 = System.nanoTime();
      for (int i = 0; i < n; i++) raw(b);
      long t1 = System.nanoTime();
      for (int i = 0; i < n; i++) dec.decode(b);
      long t2 = System.nanoTime();
      for (int i = 0; i < n; i++) ExifOrientation.read(b);
      long t3 = System.nanoTime();
      for (int i = 0; i < n; i++) pre.crops(im, CropMode.parse("center"));
      long t4 = System.nanoTime();
      System.out.printf("%-12s %dx%d  imageio.read %.2f  decode %.2f  exif %.3f  crop %.2f ms%n", Path.of(f).getFileName(), im.width(), im.height(), (t1-t0)/1e6/n, (t2-t1)/1e6/n, (t3-t2)/1e6/n, (t4-t3)/1e6/n);
    }
  }
  static BufferedImage raw(byte[] b) throws IOException { return ImageIO.read(new ByteArrayInputStream(b)); }
}
