package dev.promptly.dsl.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.promptly.dsl.Problem;
import dev.promptly.dsl.SourcePos;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InventoryTest {
  static final String INI = """
      # the operators' inventory
      lonely ansible_host=10.0.0.9

      [web]
      web1 ansible_host=127.0.0.1 ansible_port=2222
      web2 role="front end"
      web[3:4].example.com

      [db]
      db1:5432 ansible_user=postgres
      web2

      [prod:children]
      web
      db

      [web:vars]
      tier=web
      ansible_user=deploy

      [prod:vars]
      tier=prod
      env=production
      """;

  static final String YAML = """
      all:
        vars:
          env: any
        hosts:
          lonely:
            ansible_host: 10.0.0.9
        children:
          prod:
            vars:
              tier: prod
              env: production
            children:
              web:
                vars:
                  tier: web
                  ansible_user: deploy
                hosts:
                  web1: {ansible_host: 127.0.0.1, ansible_port: 2222}
                  web2: {role: front end}
                  web[3:4].example.com:
              db:
                hosts:
                  db1: {ansible_port: 5432, ansible_user: postgres}
                  web2:
      """;

  @TempDir
  Path dir;

  private Inventory load(String name, String text) throws Exception {
    Path f = dir.resolve(name);
    Files.writeString(f, text);
    List<Problem> problems = new ArrayList<>();
    Inventory inv = Inventory.load(f, problems);
    assertThat(problems).isEmpty();
    return inv;
  }

  private List<String> select(Inventory inv, String pattern) {
    List<Problem> problems = new ArrayList<>();
    List<String> hosts = inv.select(pattern, SourcePos.unknown(inv.file()), problems);
    assertThat(problems).isEmpty();
    return hosts;
  }

  @Test
  void iniAndYamlFormsGiveTheSameInventory() throws Exception {
    for (Inventory inv : List.of(load("hosts", INI), load("hosts.yml", YAML))) {
      assertThat(inv.hostNames()).containsExactlyInAnyOrder("lonely", "web1", "web2",
          "web3.example.com", "web4.example.com", "db1");
      assertThat(select(inv, "web")).containsExactly("web1", "web2", "web3.example.com",
          "web4.example.com");
      assertThat(select(inv, "all")).hasSize(6);
      assertThat(select(inv, "prod")).hasSize(5);
      assertThat(select(inv, "web:&db")).containsExactly("web2");
      assertThat(select(inv, "web:!db")).containsExactly("web1", "web3.example.com",
          "web4.example.com");
      assertThat(select(inv, "prod:!web")).containsExactly("db1");
      assertThat(select(inv, "web1,db1")).containsExactlyInAnyOrder("web1", "db1");
      assertThat(select(inv, "web*")).containsExactly("web1", "web2", "web3.example.com",
          "web4.example.com");
      assertThat(select(inv, "~web[12]")).containsExactly("web1", "web2");
      assertThat(select(inv, "ungrouped")).containsExactly("lonely");

      Inventory.Host web1 = inv.resolve("web1");
      // web (a child of prod) overrides prod's tier; prod's env is inherited.
      assertThat(web1.vars()).containsEntry("tier", "web").containsEntry("env", "production")
          .containsEntry("ansible_host", "127.0.0.1").containsEntry("ansible_port", "2222")
          .containsEntry("ansible_user", "deploy").containsEntry("inventory_hostname", "web1");
      assertThat(inv.resolve("web2").vars()).containsEntry("role", "front end");
      assertThat(inv.resolve("db1").vars()).containsEntry("ansible_port", "5432")
          .containsEntry("ansible_user", "postgres").containsEntry("tier", "prod");
    }
  }

  @Test
  void aPatternNamingNothingIsAProblem() throws Exception {
    Inventory inv = load("hosts", INI);
    List<Problem> problems = new ArrayList<>();
    assertThat(inv.select("wbe", new SourcePos(dir.resolve("d.yaml"), 3, 8), problems)).isEmpty();
    assertThat(problems).singleElement().asString().contains("d.yaml:3:8")
        .contains("'wbe' names no group or host");
  }

  @Test
  void errorsHaveFileLineColumn() throws Exception {
    Path ini = dir.resolve("bad");
    Files.writeString(ini, "[web]\nweb1\n  [web:hostz]\n[db]\nweb2 novalue\n");
    List<Problem> problems = new ArrayList<>();
    assertThat(Inventory.load(ini, problems)).isNull();
    assertThat(problems).extracting(Problem::toString).containsExactly(
        ini + ":3:8: unknown section kind ':hostz' (expected :vars or :children)",
        ini + ":5:1: 'novalue': expected name=value");

    Path yaml = dir.resolve("bad.yaml");
    Files.writeString(yaml, "all:\n  children:\n    web:\n      hots:\n        web1:\n");
    problems.clear();
    assertThat(Inventory.load(yaml, problems)).isNull();
    assertThat(problems).extracting(Problem::toString).containsExactly(
        yaml + ":4:7: group 'web': unknown key 'hots' (expected hosts, children, vars)");
  }
}
