"""People in the tool: administrators invite, assign roles, deactivate and reactivate; everyone resets a password."""
