//! The backend roles one process can run.
//!
//! `inkseal-server serve` runs all of them; `--roles ingest,acceptance` runs a
//! subset, so several processes can share one PostgreSQL database and split
//! the work (projection and acceptance work is shared with row locks, see
//! [`crate::work_queue`] and [`crate::projections`]).

use serde::{Deserialize, Serialize};

/// One backend role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// The EdgeSync gRPC service: events and sealed PDFs from edge agents.
    Ingest,
    /// The HelpDesk gRPC service.
    HelpDesk,
    /// The acceptance worker: checks received offers and adds the insurer's seal.
    Acceptance,
    /// The projector: keeps the read model (offer status, timeline, work queues) up to date.
    Projections,
    /// The publication worker: puts accepted offers' documents in the client's storage.
    Publication,
    /// The client's storage site (HTTP): the link, the access code, the downloads.
    Storage,
    /// The next morning's e-mail and SMS: scheduling and sending.
    Notifications,
}

impl Role {
    /// Every role, in start order.
    pub const ALL: [Role; 7] = [
        Role::Projections,
        Role::Acceptance,
        Role::Publication,
        Role::Notifications,
        Role::Ingest,
        Role::HelpDesk,
        Role::Storage,
    ];

    /// The role's name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Role::Ingest => "ingest",
            Role::HelpDesk => "help-desk",
            Role::Acceptance => "acceptance",
            Role::Projections => "projections",
            Role::Publication => "publication",
            Role::Storage => "storage",
            Role::Notifications => "notifications",
        }
    }

    /// Parses `ingest,acceptance,…`; `all` names every role.
    pub fn parse_list(text: &str) -> Result<Vec<Role>, String> {
        let mut out = Vec::new();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            if part == "all" {
                return Ok(Role::ALL.to_vec());
            }
            let role = Role::ALL
                .into_iter()
                .find(|r| r.name() == part)
                .ok_or_else(|| format!("unknown role {part:?}; known: ingest, help-desk, acceptance, projections, publication, storage, notifications, all"))?;
            if !out.contains(&role) {
                out.push(role);
            }
        }
        Ok(out)
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
