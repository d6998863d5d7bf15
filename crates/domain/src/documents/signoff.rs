//! Sign-off (签发): a document leaves the unit only after one of the issuing unit's leaders has
//! signed it, and only as signed — a change to the draft after the signature takes the signature
//! away.
use crate::access::{Action, Scope, allowed};
use crate::org::Role;
use crate::rectification::RuleError;

/// What the decisions on a document read, inside the write that acts on it.
#[derive(Debug, Clone, Copy)]
pub struct SignFacts {
    /// the issuing unit
    pub unit_id: i64,
    pub published: bool,
    /// signed, and not changed since
    pub signed: bool,
}

/// Longest sign-off opinion (签发意见).
pub const MAX_OPINION: usize = 200;

/// Who signs a document off: a leader (院领导) whose account is the issuing unit's own — not a
/// leader of a unit above or below — or the operator on the server's command line (`None`).
pub fn may_sign(
    actor: Option<(Role, &Scope)>,
    f: &SignFacts,
    opinion: &str,
) -> Result<(), RuleError> {
    if let Some((role, scope)) = actor {
        if role != Role::Leader || scope.unit_id != f.unit_id {
            return Err(RuleError::NotASigner);
        }
    }
    if f.published {
        return Err(RuleError::DocumentPublished);
    }
    if f.signed {
        return Err(RuleError::AlreadySigned);
    }
    if opinion.chars().count() > MAX_OPINION {
        return Err(RuleError::OpinionTooLong(MAX_OPINION));
    }
    Ok(())
}

/// Who publishes: those who manage documents, a draft that is signed off and unchanged since.
pub fn may_publish(role: Option<Role>, f: &SignFacts) -> Result<(), RuleError> {
    if let Some(r) = role {
        if !allowed(r, Action::ManageDocuments) {
            return Err(RuleError::NotPermitted);
        }
    }
    if f.published {
        return Err(RuleError::DocumentPublished);
    }
    if !f.signed {
        return Err(RuleError::NotSignedOff);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope(unit_id: i64) -> Scope {
        Scope {
            unit_id,
            unit_path: format!("/{unit_id}/"),
            subtree: true,
        }
    }
    const DRAFT: SignFacts = SignFacts {
        unit_id: 1,
        published: false,
        signed: false,
    };

    #[test]
    fn only_the_issuing_units_leader_signs() {
        assert_eq!(
            may_sign(Some((Role::Leader, &scope(1))), &DRAFT, "同意"),
            Ok(())
        );
        assert_eq!(may_sign(None, &DRAFT, ""), Ok(()));
        // the office drafts, it does not sign its own draft; a leader of another unit neither
        for (role, unit) in [
            (Role::Office, 1),
            (Role::Admin, 1),
            (Role::Discipline, 1),
            (Role::Leader, 2),
        ] {
            assert_eq!(
                may_sign(Some((role, &scope(unit))), &DRAFT, ""),
                Err(RuleError::NotASigner)
            );
        }
        let signed = SignFacts {
            signed: true,
            ..DRAFT
        };
        assert_eq!(may_sign(None, &signed, ""), Err(RuleError::AlreadySigned));
        let published = SignFacts {
            published: true,
            ..signed
        };
        assert_eq!(
            may_sign(None, &published, ""),
            Err(RuleError::DocumentPublished)
        );
        let long = "意".repeat(MAX_OPINION + 1);
        assert_eq!(
            may_sign(None, &DRAFT, &long),
            Err(RuleError::OpinionTooLong(MAX_OPINION))
        );
    }

    #[test]
    fn publishing_needs_the_signature() {
        assert_eq!(
            may_publish(Some(Role::Office), &DRAFT),
            Err(RuleError::NotSignedOff)
        );
        let signed = SignFacts {
            signed: true,
            ..DRAFT
        };
        assert_eq!(may_publish(Some(Role::Office), &signed), Ok(()));
        assert_eq!(
            may_publish(Some(Role::Leader), &signed),
            Err(RuleError::NotPermitted)
        );
        let published = SignFacts {
            published: true,
            ..signed
        };
        assert_eq!(
            may_publish(None, &published),
            Err(RuleError::DocumentPublished)
        );
    }
}
