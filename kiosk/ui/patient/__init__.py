"""The screens a patient or visitor sees: question, follow-up, thank-you."""
