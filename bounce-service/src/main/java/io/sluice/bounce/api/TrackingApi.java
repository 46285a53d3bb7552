package io.sluice.bounce.api;

import jakarta.ws.rs.core.Application;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.Components;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;

/** The OpenAPI description of the tracking API (served at /q/openapi). */
@OpenAPIDefinition(
    info = @Info(title = "Sluice bounce-service", version = "1",
        description = "Delivery tracking, bounces and the suppression list. Every call needs "
            + "'Authorization: Bearer <sluice.bounce.api.token>'. Lists are paged with page (0-based) and size."),
    security = @SecurityRequirement(name = "bearer"),
    components = @Components(securitySchemes = @SecurityScheme(securitySchemeName = "bearer",
        type = SecuritySchemeType.HTTP, scheme = "bearer",
        description = "The static token configured in sluice.bounce.api.token, or during a rotation "
            + "the one in sluice.bounce.api.next-token")))
public class TrackingApi extends Application {}
