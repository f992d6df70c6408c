//! Sensitive-word matching for Chinese text (lawyer-platform standard 10.3).
