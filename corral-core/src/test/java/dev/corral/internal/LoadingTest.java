package dev.corral.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Building a Command loads no platform: no native code, no shutdown hook. The Corral classes are
 * loaded afresh in a class loader of their own, so what this JVM's other tests loaded does not
 * count; the loader then says which classes it had to load. No process is started.
 */
class LoadingTest {

  /** Corral's classes from the test class path, loaded apart from this JVM's copies. */
  static final class Isolated extends URLClassLoader {
    Isolated() throws Exception {
      super(urls(), ClassLoader.getPlatformClassLoader());
    }

    boolean loaded(String name) {
      return findLoadedClass(name) != null;
    }

    private static URL[] urls() throws Exception {
      List<URL> urls = new ArrayList<>();
      for (String entry : System.getProperty("surefire.test.class.path",
          System.getProperty("java.class.path")).split(File.pathSeparator)) {
        urls.add(Path.of(entry).toUri().toURL());
      }
      return urls.toArray(URL[]::new);
    }
  }

  @Test
  void buildingCommandsWithStopSignalsLoadsNoPlatform() throws Exception {
    try (Isolated loader = new Isolated()) {
      Class<?> command = loader.loadClass("dev.corral.Command");
      Object c = command.getMethod("of", String[].class).invoke(null, (Object) new String[] {"true"});
      Class<?> signal = loader.loadClass("dev.corral.Signal");
      Method of = signal.getMethod("of", String.class);
      c = command.getMethod("stopSignal", signal).invoke(c, of.invoke(null, "INT"));
      c = command.getMethod("stopSignal", String.class).invoke(c, "SIGUSR1");
      c = command.getMethod("keepIgnored", Set.class)
          .invoke(c, Set.of(of.invoke(null, "HUP"), of.invoke(null, "PIPE")));
      assertThat(command.getMethod("stopSignal").invoke(c)).hasToString("SIGUSR1 ("
          + Signals.current().number("USR1") + ")");
      Method byName = command.getMethod("stopSignal", String.class);
      Object built = c;
      assertThatThrownBy(() -> invoke(byName, built, "NOPE"))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NOPE");
      assertThatThrownBy(() -> invoke(signal.getMethod("of", int.class), null, 99))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("99");

      assertThat(loader.loaded("dev.corral.Command")).as("the control").isTrue();
      assertThat(loader.loaded("dev.corral.internal.Signals")).isTrue();
      assertThat(loader.loaded("dev.corral.internal.Platform$Holder")).isFalse();
      assertThat(loader.loaded("dev.corral.internal.linux.LinuxPlatform")).isFalse();
      assertThat(loader.loaded("dev.corral.internal.portable.PortablePlatform")).isFalse();
      assertThat(loader.loaded("dev.corral.internal.linux.LibC")).isFalse();
      assertThat(loader.loaded("dev.corral.internal.posix.PosixLibC")).isFalse();
    }
  }

  private static Object invoke(Method m, Object target, Object arg) throws Throwable {
    try {
      return m.invoke(target, arg);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  @Test
  void signalTablesPerOs() {
    assertThat(Signals.forOs("Linux")).isSameAs(Signals.LINUX);
    Signals mac = Signals.forOs("Mac OS X");
    assertThat(mac).isSameAs(Signals.BSD).isSameAs(Signals.forOs("FreeBSD"));
    assertThat(mac.number("USR1")).isEqualTo(30);
    assertThat(mac.number("SIGCHLD")).isEqualTo(20);
    assertThat(mac.number("CONT")).isEqualTo(19);
    assertThat(mac.number("STOP")).isEqualTo(17);
    assertThat(mac.number("BUS")).isEqualTo(10);
    assertThat(mac.number("INFO")).isEqualTo(29);
    assertThat(mac.number("POLL")).isEqualTo(23);
    assertThat(mac.number("IOT")).isEqualTo(6);
    assertThat(mac.number("RTMIN")).isEqualTo(-1);
    assertThat(mac.name(31)).isEqualTo("USR2");
    assertThat(mac.name(32)).isNull();
    assertThat(mac.max()).isEqualTo(31);
    assertThat(Signals.LINUX.number("USR1")).isEqualTo(10);
    assertThat(Signals.LINUX.number("POLL")).isEqualTo(29);
    assertThat(Signals.LINUX.number("CHLD")).isEqualTo(17);

    Signals windows = Signals.forOs("Windows 11");
    assertThat(windows).isSameAs(Signals.WINDOWS);
    assertThat(windows.number("TERM")).isEqualTo(15);
    assertThat(windows.number("KILL")).isEqualTo(9);
    assertThat(windows.number("INT")).isEqualTo(-1);
    assertThat(windows.number("IOT")).isEqualTo(-1);
    assertThat(windows.number("2")).isEqualTo(-1);
    assertThatThrownBy(() -> windows.check(10)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("not a signal on Windows: 10");
    assertThatThrownBy(() -> Signals.LINUX.check(99)).hasMessage("not a signal: 99");
    assertThatThrownBy(() -> Signals.LINUX.numberOf("0")).hasMessage("not a signal name: 0");

    Signals other = Signals.forOs("SunOS");
    assertThat(other).isSameAs(Signals.POSIX);
    assertThat(other.number("HUP")).isEqualTo(1);
    assertThat(other.number("USR1")).as("not fixed by POSIX: refused, not guessed").isEqualTo(-1);
  }
}
