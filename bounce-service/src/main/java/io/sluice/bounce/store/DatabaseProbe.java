package io.sluice.bounce.store;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.SQLException;

/** Tells a database outage (retry later) apart from a poison event (dead-letter it). */
@ApplicationScoped
public class DatabaseProbe {
  @Inject AgroalDataSource dataSource;

  public boolean isUp() {
    try (Connection c = dataSource.getConnection()) {
      return c.isValid(2);
    } catch (SQLException e) {
      return false;
    }
  }
}
