/// "Did you mean" suggestions by edit distance, as ninja does, but scaled to the word: a typo
/// changes a few characters of a word, not most of it.
///
/// A candidate is offered when it is at least half as long as the word (`nope` never suggests
/// `n`) and within `min(3, max(1, longer / 3))` edits, where `longer` is the length of the longer
/// of the two (rustc's rule, capped at ninja's 3): one edit up to five characters, two up to
/// eight, three from nine on. An explicit `maxDistance` replaces that bound; the length rule
/// still applies.
public enum Suggestion {
  /// The closest candidate to `word`, or nil; ties go to the first candidate.
  public static func nearest(
    to word: String, in candidates: some Sequence<String>, maxDistance: Int? = nil
  )
    -> String?
  {
    let length = word.unicodeScalars.count
    var best: (String, Int)?
    for candidate in candidates {
      let candidateLength = candidate.unicodeScalars.count
      guard 2 * candidateLength >= length else { continue }
      let bound = maxDistance ?? min(3, max(1, max(length, candidateLength) / 3))
      let distance = editDistance(word, candidate)
      if distance <= bound, distance < (best?.1 ?? .max) { best = (candidate, distance) }
    }
    return best?.0
  }

  /// A hint line `did you mean 'x'?` or nil.
  public static func hint(for word: String, in candidates: some Sequence<String>) -> String? {
    nearest(to: word, in: candidates).map { "did you mean '\($0)'?" }
  }

  /// Edit distance over Unicode scalars counting insertions, deletions, substitutions and
  /// transpositions of adjacent characters (optimal string alignment), so `dpes` → `deps` is 1.
  public static func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a.unicodeScalars), b = Array(b.unicodeScalars)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var table = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
    for i in 0...a.count { table[i][0] = i }
    for j in 0...b.count { table[0][j] = j }
    for i in 1...a.count {
      for j in 1...b.count {
        let cost = a[i - 1] == b[j - 1] ? 0 : 1
        table[i][j] = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost)
        if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
          table[i][j] = min(table[i][j], table[i - 2][j - 2] + 1)
        }
      }
    }
    return table[a.count][b.count]
  }
}
