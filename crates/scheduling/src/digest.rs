//! One mail to a praktijkopleider who has several students due the same day, instead of one per bpvo
//! (docs/architecture.md, "The rules"; optional; switched by
//! [`SchedulingSettings::digest`](crate::SchedulingSettings::digest)).

use std::collections::{HashMap, HashSet};
use std::hash::Hash;

/// Groups the day's deliveries by recipient: one group per e-mail address (compared trimmed and
/// case-insensitively), in the order the recipients first appear, each group keeping the order of its
/// items. Every id appears in exactly one group: a repeated id stays with its first occurrence.
///
/// ```
/// use bpv_scheduling::group_digests;
///
/// let due = [
///     ("Jan@Bakkerij.nl".to_owned(), 1),
///     ("piet@garage.nl".to_owned(), 2),
///     (" jan@bakkerij.nl".to_owned(), 3),
/// ];
/// assert_eq!(group_digests(&due), vec![vec![1, 3], vec![2]]);
/// ```
pub fn group_digests<K: Clone + Eq + Hash + Ord>(items: &[(String, K)]) -> Vec<Vec<K>> {
    let mut groups: Vec<Vec<K>> = Vec::new();
    let mut group_of: HashMap<String, usize> = HashMap::new();
    let mut seen: HashSet<&K> = HashSet::new();
    for (recipient, id) in items {
        if !seen.insert(id) {
            continue;
        }
        let key = recipient.trim().to_lowercase();
        match group_of.get(&key).and_then(|&index| groups.get_mut(index)) {
            Some(group) => group.push(id.clone()),
            None => {
                group_of.insert(key, groups.len());
                groups.push(vec![id.clone()]);
            }
        }
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn item(recipient: &str, id: u32) -> (String, u32) {
        (recipient.to_owned(), id)
    }

    #[test]
    fn same_praktijkopleider_gets_one_mail() {
        let items = [item("a@x.nl", 1), item("b@x.nl", 2), item("A@X.NL ", 3), item("b@x.nl", 4), item("c@x.nl", 5)];
        assert_eq!(group_digests(&items), vec![vec![1, 3], vec![2, 4], vec![5]]);
    }

    #[test]
    fn nothing_due_gives_no_mail() {
        assert!(group_digests::<u32>(&[]).is_empty());
    }

    #[test]
    fn repeated_delivery_is_mailed_once() {
        let items = [item("a@x.nl", 1), item("b@x.nl", 1), item("a@x.nl", 1)];
        assert_eq!(group_digests(&items), vec![vec![1]]);
    }

    proptest! {
        #[test]
        fn every_delivery_lands_in_exactly_one_digest(
            items in prop::collection::vec(("[aAbBc]@[xX]\\.nl ?", 0u16..40), 0..60)
        ) {
            let groups = group_digests(&items);
            let mut ids: Vec<u16> = groups.iter().flatten().copied().collect();
            let mut expected: Vec<u16> = items.iter().map(|(_, id)| *id).collect();
            // Same ids, first-seen order across the flattened groups is not required; same set, no repeats.
            expected.sort_unstable();
            expected.dedup();
            ids.sort_unstable();
            prop_assert_eq!(&ids, &expected);
            for group in &groups {
                prop_assert!(!group.is_empty());
                // One recipient per group, and no recipient in two groups.
                let recipients: HashSet<String> = group
                    .iter()
                    .map(|id| {
                        let first = items.iter().find(|(_, i)| i == id).map(|(r, _)| r.trim().to_lowercase());
                        first.unwrap_or_default()
                    })
                    .collect();
                prop_assert_eq!(recipients.len(), 1);
            }
            let keys: Vec<String> = groups
                .iter()
                .filter_map(|g| g.first())
                .filter_map(|id| items.iter().find(|(_, i)| i == id).map(|(r, _)| r.trim().to_lowercase()))
                .collect();
            let unique: HashSet<&String> = keys.iter().collect();
            prop_assert_eq!(unique.len(), keys.len());
            // Groups in first-seen order of their recipients; items in input order within a group.
            let first_pos = |id: &u16| items.iter().position(|(_, i)| i == id).unwrap_or(usize::MAX);
            for pair in groups.windows(2) {
                prop_assert!(first_pos(&pair[0][0]) < first_pos(&pair[1][0]));
            }
            for group in &groups {
                for pair in group.windows(2) {
                    prop_assert!(first_pos(&pair[0]) < first_pos(&pair[1]));
                }
            }
        }
    }
}
