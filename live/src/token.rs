//! The ClientToken of each attempt: a deterministic function of (instance, campaign, customer
//! phone, attempt number), formatted as a UUID (version 5, name-based with SHA-1).
//!
//! Connect makes StartOutboundVoiceContact idempotent on the token for 7 days ("if a contact is
//! already started, the contact ID is returned"), so an attempt re-issued after a crash, or retried
//! by the SDK, can never place a second call — as long as the same attempt always gets the same
//! token, which this function guarantees, on every machine and every version of dialsim.

use uuid::Uuid;

/// dialsim's namespace for ClientTokens (a fixed random UUID; never change it: it would change
/// every token of every running campaign).
pub const NAMESPACE: Uuid = Uuid::from_u128(0xf826404c_a393_4873_879a_262a6fadb04b);

/// The token of attempt `attempt` (1 for the first call) to `phone` in `campaign` on `instance_id`.
pub fn client_token(instance_id: &str, campaign: &str, phone: &str, attempt: u32) -> Uuid {
    // Unit separators keep ("ab", "c") and ("a", "bc") apart.
    let name = format!("{instance_id}\u{1f}{campaign}\u{1f}{phone}\u{1f}{attempt}");
    Uuid::new_v5(&NAMESPACE, name.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_inputs_same_token() {
        let a = client_token("inst", "spring", "+14155550100", 1);
        assert_eq!(a, client_token("inst", "spring", "+14155550100", 1));
        // Pinned: a token must never change between versions.
        assert_eq!(a.to_string(), PINNED);
        assert_eq!(a.get_version_num(), 5);
        assert!(a.to_string().len() <= 500);
    }

    /// Computed independently with Python's `uuid.uuid5` from the same namespace and name.
    const PINNED: &str = "865123c6-475a-53dd-96af-e3b959993c38";

    #[test]
    fn every_input_matters() {
        let base = client_token("inst", "spring", "+14155550100", 1);
        assert_ne!(base, client_token("inst2", "spring", "+14155550100", 1));
        assert_ne!(base, client_token("inst", "autumn", "+14155550100", 1));
        assert_ne!(base, client_token("inst", "spring", "+14155550101", 1));
        assert_ne!(base, client_token("inst", "spring", "+14155550100", 2));
        assert_ne!(
            client_token("a", "bc", "+1", 1),
            client_token("ab", "c", "+1", 1)
        );
    }
}
