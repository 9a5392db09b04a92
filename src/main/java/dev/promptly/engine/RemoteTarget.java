package dev.promptly.engine;

import dev.promptly.dsl.Dialogue;
import dev.promptly.process.SpawnOptions;
import dev.promptly.process.ssh.SshConfig;
import dev.promptly.process.ssh.SshTarget;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The SSH target of a run: the inventory host's connection variables first (as Ansible uses
 * them), completed by the dialogue's own {@code ssh:}, then OpenSSH's defaults. Every value is
 * substituted before it is read, so {@code port: "${env:SSH_PORT}"} is a port.
 */
final class RemoteTarget {
  private RemoteTarget() {
  }

  /** A run goes over SSH when its dialogue has {@code ssh:} or {@code hosts:}. */
  static boolean isRemote(RunPlan plan) {
    return plan.dialogue().ssh() != null || plan.dialogue().hosts() != null;
  }

  /**
   * The target, or IllegalArgumentException with a one-line reason.
   *
   * @param substitute the run's substitution of ${...}
   */
  static SshTarget of(RunPlan plan, UnaryOperator<String> substitute) {
    Dialogue d = plan.dialogue();
    Map<String, String> host = plan.hostVars();
    String h = first(host, "ansible_host", "ansible_ssh_host");
    String port = first(host, "ansible_port", "ansible_ssh_port");
    String user = first(host, "ansible_user", "ansible_ssh_user");
    String identity = first(host, "ansible_ssh_private_key_file");
    String password = first(host, "ansible_password", "ansible_ssh_pass");
    String passphrase = null;
    String knownHosts = null;
    String check = null;
    if (h == null && host.containsKey("inventory_hostname")) {
      h = host.get("inventory_hostname");
    }
    Dialogue.Ssh ssh = d.ssh();
    if (ssh != null && ssh.target() != null) {
      String t = substitute.apply(ssh.target()).strip();
      int at = t.lastIndexOf('@');
      if (at >= 0) {
        user = user != null ? user : t.substring(0, at);
        t = t.substring(at + 1);
      }
      String p = null;
      if (t.startsWith("[") && t.indexOf(']') > 0) {
        int close = t.indexOf(']');
        p = t.startsWith(":", close + 1) ? t.substring(close + 2) : null;
        t = t.substring(1, close);
      } else if (t.indexOf(':') >= 0 && t.indexOf(':') == t.lastIndexOf(':')) {
        p = t.substring(t.indexOf(':') + 1);
        t = t.substring(0, t.indexOf(':'));
      }
      h = h != null ? h : t;
      port = port != null ? port : p;
    } else if (ssh != null) {
      Map<String, String> f = ssh.fields();
      h = h != null ? h : sub(f.get("host"), substitute);
      port = port != null ? port : sub(f.get("port"), substitute);
      user = user != null ? user : sub(f.get("user"), substitute);
      identity = identity != null ? identity : sub(f.get("identity"), substitute);
      password = password != null ? password : sub(f.get("password"), substitute);
      passphrase = sub(f.get("passphrase"), substitute);
      knownHosts = sub(f.get("known-hosts"), substitute);
      check = sub(f.get("host-key-check"), substitute);
    }
    if (h == null || h.isBlank()) {
      throw new IllegalArgumentException("ssh: no host (give host:, or an inventory host)");
    }
    int portNumber = 0;
    if (port != null && !port.isBlank()) {
      try {
        portNumber = Integer.parseInt(port.strip());
      } catch (NumberFormatException e) {
        portNumber = -1;
      }
      if (portNumber < 1 || portNumber > 65535) {
        throw new IllegalArgumentException("ssh: port '" + port + "' is not a port number");
      }
    }
    SshTarget.HostKeyCheck mode = check == null ? SshTarget.HostKeyCheck.STRICT
        : SshTarget.HostKeyCheck.parse(check.strip());
    if (mode == null) {
      throw new IllegalArgumentException("ssh: host-key-check '" + check
          + "' is not strict, accept-new or off");
    }
    Path dir = d.file().toAbsolutePath().getParent();
    // ~/.ssh/config completes what the inventory and the dialogue left out (OpenSSH's order).
    Path config = SshConfig.defaultFile();
    try {
      return SshConfig.target(config, h.strip(), portNumber,
          user == null || user.isBlank() ? null : user.strip(),
          identity == null ? null : path(identity, dir), passphrase, password,
          knownHosts == null ? SshTarget.defaultKnownHosts() : path(knownHosts, dir), mode);
    } catch (java.io.IOException | RuntimeException e) {
      throw new IllegalArgumentException("ssh: " + config + ": " + e.getMessage());
    }
  }

  /**
   * The remote command line: null (the login shell) without a command. The dialogue's
   * {@code env:} and, for {@code shell: true}, the values its script refers to (as
   * {@code ${PROMPTLY_name}}, see DialogueRun#shellScript) are set by {@code export} lines
   * before it: servers refuse most environment requests, and the remote shell then expands each
   * value as data. argv words are quoted one by one, so a value never splits there.
   */
  static String command(Dialogue d, SpawnOptions options) {
    if (d.command().isEmpty()) {
      return null;
    }
    StringBuilder b = new StringBuilder();
    Map<String, String> inherited = System.getenv();
    options.env().forEach((k, v) -> {
      if (!v.equals(inherited.get(k)) && k.matches("[A-Za-z_][A-Za-z0-9_]*")) {
        b.append("export ").append(k).append('=').append(quote(v)).append(";\n");
      }
    });
    List<String> argv = options.argv();
    if (d.shell()) {
      return b.append(argv.get(argv.size() - 1)).toString();
    }
    for (int i = 0; i < argv.size(); i++) {
      b.append(i == 0 ? "" : " ").append(quote(argv.get(i)));
    }
    return b.toString();
  }

  /** POSIX single quotes, unless the word needs none. */
  static String quote(String w) {
    if (!w.isEmpty() && w.matches("[A-Za-z0-9_./=:,+@%^-]+")) {
      return w;
    }
    return "'" + w.replace("'", "'\\''") + "'";
  }

  private static Path path(String p, Path dir) {
    String s = p.strip();
    if (s.equals("~") || s.startsWith("~/")) {
      s = System.getProperty("user.home") + s.substring(1);
    }
    return dir == null ? Path.of(s) : dir.resolve(s).normalize();
  }

  private static String sub(String v, UnaryOperator<String> substitute) {
    return v == null ? null : substitute.apply(v);
  }

  private static String first(Map<String, String> vars, String... names) {
    for (String n : names) {
      String v = vars.get(n);
      if (v != null && !v.isBlank()) {
        return v;
      }
    }
    return null;
  }
}
