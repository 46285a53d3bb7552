package io.sluice.bounce.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.sluice.bounce.UniqueGroupProfile;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The bounce list's recipient filter is served by the partial index of migration V5, not by a scan
 * of every failed outcome. The query below has the shape {@link BounceResource} sends, with its
 * {@link BounceResource#FAILED} condition written the same way.
 */
@QuarkusTest
@TestProfile(UniqueGroupProfile.class)
class BounceListIndexTest {
  @Inject AgroalDataSource db;

  @Test
  void theRecipientFilterUsesThePartialIndexOnFailedRecipients() throws Exception {
    try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
      // Enough failed rows, all to one domain, that a scan of the status index would cost far more.
      s.execute("""
          insert into recipient_outcome (id, queue_id, recipient, rcpt_domain, status, attempt,
              first_event_at, last_event_at)
          select -n, lpad(n::text, 26, '0'), 'User' || n || '@index.test', 'index.test',
              case when n % 2 = 0 then 'BOUNCED' else 'EXPIRED' end, 1, now(), now()
          from generate_series(1, 5000) n""");
      s.execute("analyze recipient_outcome");
      List<String> plan = new ArrayList<>();
      try (ResultSet r = s.executeQuery("explain select * from recipient_outcome where " + BounceResource.FAILED
          + " and lower(recipient) = 'user42@index.test' order by last_event_at desc, id desc limit 20")) {
        while (r.next()) {
          plan.add(r.getString(1));
        }
      }
      assertThat(String.join("\n", plan)).contains("recipient_outcome_failed_recipient_idx");
    } finally {
      try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
        s.execute("delete from recipient_outcome where rcpt_domain = 'index.test'");
      }
    }
  }
}
