// Package workflow is the signing service for school staff: accounts and
// roles, assignments of teachers to classes and subjects, sessions and API
// tokens, and the documents that wait for their signers in legal order.
//
// An import (JSON, CSV or Excel, read by package templates) renders every
// record with pre-placed signature fields and stores the document with its
// signing plan, each step resolved to the one account that must sign it. A
// person's queue holds the documents whose next step is theirs. They sign
// with a key in the service's HSM, opened with the PIN they type for that
// batch and closed after it, or on their own USB token: they download the
// batch, sign it with kyso sign, and upload it, and the upload is accepted
// only if it is the document sent plus exactly their signature. After the
// last signature the credential is verified and registered in the
// registry, which publishes it.
//
// Authorisation is enforced here, not in the pages: nobody signs another
// person's step, out of order, or a document of another school. Every
// action is written to the audit log with identifiers only.
//
// The store is one SQLite file by default or a PostgreSQL database; both
// run the same queries and the same test suite.
package workflow
